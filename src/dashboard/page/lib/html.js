// One place that binds htm to Preact, so screens import `html` and the hooks from here.
export { html, render } from 'htm/preact';
export { useState, useEffect, useMemo, useRef, useCallback } from 'preact/hooks';
