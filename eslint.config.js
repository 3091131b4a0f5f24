import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.baton/**', 'coverage/**', '**/*.mjs', '**/*.js'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.base],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // In a queue runtime a floating promise is lost work.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  // Layers (DESIGN.md): one direction of dependency. Only the composition root (src/root) knows
  // which backends exist; runtime, data and cli reach a backend through ports, never by import.
  {
    files: ['src/runtime/**/*.ts', 'src/data/**/*.ts', 'src/cli/**/*.ts', 'src/dashboard/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+backends/', message: 'runtime, data, cli and the dashboard use ports, not a backend: open backends through the composition root (src/root).' }] }],
    },
  },
  {
    files: ['src/runtime/**/*.ts', 'src/data/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(backends|root|cli)/', message: 'runtime and data use ports, not a backend, and never the layers above them (root, cli).' }] }],
    },
  },
  // Backends are side by side, not stacked: aws never imports local, nor local aws. A rule both
  // follow (names, limits, validation, retry policy) lives once in src/backends/shared, which
  // imports only core and ports.
  {
    files: ['src/backends/aws/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(backends/)?local/', message: 'the aws backend does not import the local backend: put a rule both backends need in src/backends/shared.' }] }],
    },
  },
  {
    files: ['src/backends/local/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(backends/)?aws/', message: 'the local backend does not import the aws backend: put a rule both backends need in src/backends/shared.' }] }],
    },
  },
  {
    files: ['src/backends/shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(backends/)?(local|aws)/', message: 'src/backends/shared holds the rules every backend uses: it imports core and ports, never a backend.' }] }],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { regex: '^\\.\\./(?!core/)', message: 'ports import only core (and each other).' },
        { regex: '^\\.\\./core/', allowTypeImports: true, message: 'ports are interfaces: import core with `import type`.' },
      ] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: '^(\\.\\./)+(ports|runtime|data|cli|backends|root)/', message: 'core is the bottom layer: it imports nothing of Baton outside core (move shared types into core).' }] }],
    },
  },
);
