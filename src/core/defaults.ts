/**
 * Every default in Baton, in one place. Resource options fall back to these; the values follow the
 * AWS services users know, so a pipeline behaves the same embedded and on AWS.
 */
export const defaults = {
  queue: {
    /** @defaultValue 30 s, as SQS. */
    visibilityTimeoutMs: 30_000,
    /** @defaultValue 4 days, as SQS. */
    retentionMs: 4 * 86_400_000,
    /** @defaultValue 0 */
    delayMs: 0,
    /** @defaultValue 256 KiB, as SQS; configurable up to {@link defaults.queue.maxMessageSizeCap}. */
    maxMessageSize: 256 * 1024,
    /** @defaultValue 1 MiB: the highest message size a queue may be configured for. */
    maxMessageSizeCap: 1024 * 1024,
    /** @defaultValue 5 receives before a message moves to the dead-letter queue. */
    maxReceiveCount: 5,
    /** @defaultValue 10 messages per receive, as SQS. */
    maxReceiveBatch: 10,
    /** @defaultValue 1,000 messages per receive on the local backend (SQS allows 10). */
    maxReceiveBatchLocal: 1000,
    /** @defaultValue 20 s: the longest long-poll wait, as SQS. */
    maxWaitMs: 20_000,
    /** @defaultValue 12 h: the longest visibility timeout, as SQS. */
    maxVisibilityTimeoutMs: 12 * 3_600_000,
    /** @defaultValue 15 min: the longest delay, as SQS. */
    maxDelayMs: 15 * 60_000,
    /** @defaultValue 14 days: the longest retention, as SQS. */
    maxRetentionMs: 14 * 86_400_000,
    /** @defaultValue 100 ms between store polls while long-polling when no in-process send wakes the waiter. */
    pollIntervalMs: 100,
  },
  objects: {
    /** @defaultValue 1024 bytes, as S3. */
    maxKeyBytes: 1024,
    /** @defaultValue 1,000 keys per list page, as S3. */
    maxKeys: 1000,
    /** @defaultValue 255 bytes between two '/' in a key: what a local filesystem holds per name. */
    maxSegmentBytes: 255,
    /** @defaultValue 5 GiB per put, as S3's single PUT. */
    maxObjectBytes: 5 * 1024 ** 3,
    /** @defaultValue 2 KiB of user metadata (names and values), as S3. */
    maxMetadataBytes: 2048,
    /** @defaultValue 'binary/octet-stream', what S3 records when a put names no content type. */
    contentType: 'binary/octet-stream',
    /** @defaultValue 100 outbox events per pendingEvents call. */
    pendingEvents: 100,
    /**
     * @defaultValue 2 s: how long a local write or read waits for another process's in-flight
     * write of the same key before it finishes that write itself (its writer having died).
     */
    intentWaitMs: 2000,
    /**
     * @defaultValue 10 min: a temporary upload file with no intent, from a live process, is
     * removed on open only once it is this old (a dead process's are removed at once).
     */
    strayTempAgeMs: 10 * 60_000,
  },
  params: {
    /** @defaultValue 4 KiB for a standard parameter value, as SSM. */
    maxValueBytes: 4096,
    /** @defaultValue 100 versions of history kept per parameter, as SSM. */
    maxHistory: 100,
    /** Environment variable holding a base64 32-byte key for SecureString values. */
    keyEnv: 'BATON_PARAMS_KEY',
    /** @defaultValue 'params.key': the generated key file in the state directory, used when no key is given. */
    keyFile: 'params.key',
    /** @defaultValue 1011 characters per name, as SSM. */
    maxNameLength: 1011,
    /** @defaultValue 15 levels in a hierarchical name, as SSM. */
    maxLevels: 15,
    /** @defaultValue 1,024 characters per description, as SSM. */
    maxDescriptionLength: 1024,
  },
  tables: {
    /** @defaultValue 400 KB per item, as DynamoDB. */
    maxItemBytes: 400 * 1024,
    /** @defaultValue 24 h of stream records kept, as DynamoDB Streams. */
    streamRetentionMs: 86_400_000,
    /** @defaultValue 25 items per batch write, as DynamoDB. */
    maxBatchWrite: 25,
    /** @defaultValue 1,000 items per query page. */
    maxQueryLimit: 1000,
    /** @defaultValue 1 MiB of items per query page, as DynamoDB. */
    maxQueryBytes: 1024 * 1024,
    /** @defaultValue 2,048 bytes for a string partition key, as DynamoDB. */
    maxPartitionKeyBytes: 2048,
    /** @defaultValue 1,024 bytes for a string sort key, as DynamoDB. */
    maxSortKeyBytes: 1024,
    /** @defaultValue 100 stream records per read when no limit is given. */
    streamReadLimit: 100,
    /** @defaultValue 1,000 stream records per read at most, as DynamoDB Streams' GetRecords. */
    maxStreamReadLimit: 1000,
    /** @defaultValue 1 min between two lazy trims of one table's stream. */
    streamTrimIntervalMs: 60_000,
  },
  topics: {
    /** @defaultValue 256 KiB per message, as SNS. */
    maxMessageSize: 256 * 1024,
    /** @defaultValue 5 delivery attempts for a webhook subscriber. */
    webhookAttempts: 5,
    /** @defaultValue 1 s before the first webhook retry; doubles each time. */
    webhookBackoffMs: 1000,
    /** @defaultValue 10 s for one webhook request. */
    webhookTimeoutMs: 10_000,
    /** @defaultValue 5 min: the longest wait between two webhook attempts, however many there are. */
    webhookMaxBackoffMs: 5 * 60_000,
    /** @defaultValue 3 attempts to append to a file outbox (a full disk or a permission error). */
    fileAttempts: 3,
    /**
     * @defaultValue 5 s added to a delivery's lease beyond its request timeout or backoff wait: how
     * long another process waits before taking over a delivery whose owner died.
     */
    leaseMarginMs: 5000,
    /** @defaultValue 7 days: delivered and failed deliveries older than this are pruned on open. */
    deliveryRetentionMs: 7 * 86_400_000,
  },
  fn: {
    /** @defaultValue 3 s, Lambda's default time limit. */
    timeoutMs: 3000,
    /** @defaultValue 15 min, Lambda's cap for the function executor. */
    maxTimeoutMs: 15 * 60_000,
    /** @defaultValue 4 warm workers per function. */
    concurrency: 4,
    /** @defaultValue 1024 MB heap per worker. */
    memoryMb: 1024,
    /** @defaultValue 2 retries of a failed async invocation, as Lambda. */
    asyncRetries: 2,
    /** @defaultValue 10 messages per queue-triggered invocation, as Lambda's SQS mapping. */
    queueBatchSize: 10,
    /** @defaultValue 100 records per stream-triggered invocation, as Lambda's DynamoDB mapping. */
    streamBatchSize: 100,
    /** @defaultValue 10,000 records at most in one stream-triggered invocation, as Lambda's DynamoDB mapping. */
    maxStreamBatchSize: 10_000,
    /** @defaultValue 1 stream batch at a time per trigger, as Lambda's ParallelizationFactor. */
    streamParallelizationFactor: 1,
    /** @defaultValue 2 retries of a failing stream batch. */
    streamMaxRetryAttempts: 2,
    /** @defaultValue 1 KiB of an event payload kept in a log line. */
    logPayloadBytes: 1024,
    /** @defaultValue 1,000 log lines kept per invocation; later lines are counted, not kept. */
    maxLogRecords: 1000,
    /** @defaultValue 10 s to load a handler module in a fresh worker, as Lambda's init phase. */
    initTimeoutMs: 10_000,
    /**
     * @defaultValue 5 min: a warm worker left idle this long is ended, its memory freed, and the
     * function's next invocation starts a fresh one (a cold start), as Lambda reclaims an idle
     * execution environment. A worker used again sooner stays warm.
     */
    workerIdleMs: 5 * 60_000,
    /** @defaultValue 1 min before the first async retry; doubles for the next (1 min, 2 min, as Lambda). */
    asyncRetryBaseMs: 60_000,
    /** @defaultValue 1 min lease on a pending async invocation, renewed while it runs. */
    asyncLeaseMs: 60_000,
    /** @defaultValue 'baton-async': the internal queue holding pending async invocations. */
    asyncQueue: 'baton-async',
  },
  heap: {
    /**
     * @defaultValue 50: after a full GC, V8 lets an isolate's old generation grow 50% past what
     * survived before the next one (V8's --heap-growing-percent; src/runtime/heap.ts), in the engine's
     * isolate and in every function worker's. V8's own factor reaches 4x for the engine's 4 GB heap
     * limit: the csv-pipeline's engine kept ~23 MB live in a heap of 150-350 MB. Measured (pipeline
     * part at 250k rows, 3 runs each): peak RSS V8's own 613-641 MB, 50% 563-580, 20% 561-571,
     * 100% 586-600, CPU within the noise; a thread with a large live set that keeps promoting
     * garbage (1M small objects live, 2 MB batches promoted): CPU +21% at 50%, +59% at 20%, +18%
     * at 100% against V8's own, heap 275 / 231 / 351 vs 640 MB. 50% keeps the memory of 20% at
     * the cost of 100%.
     */
    growingPercent: 50,
    // Not set: a cap on workers' young generations (24 MB took ~50 MB more off the csv-pipeline's
    // peak but cost +14-22% CPU: batches of 1.5-2.5 MB then survive scavenges and are promoted).
    /** Environment variable: 'v8' leaves heap sizing to V8's own policy (growingPercent off). */
    env: 'BATON_V8_HEAP',
  },
  triggers: {
    /** @defaultValue 1 s: how long a queue trigger long-polls for a first message before it looks again. */
    queueWaitMs: 1000,
    /** @defaultValue 3: a running batch's visibility is extended every visibility timeout / 3 (its heartbeat). */
    heartbeatDivisor: 3,
    /** @defaultValue 250 ms between two looks at an outbox or a stream with nothing new (object events, table streams). */
    pollIntervalMs: 250,
    /** @defaultValue 1 s before the first retry of a failing stream batch; doubles per retry. */
    streamRetryBaseMs: 1000,
    /** @defaultValue 1 min: the longest wait between two retries of a stream batch. */
    streamRetryMaxMs: 60_000,
    /** @defaultValue 2 loops draining async invocations (their retries and destinations) at once. */
    asyncDrainers: 2,
    /** @defaultValue 10 async events taken per drain. */
    asyncDrainBatch: 10,
    /** @defaultValue 1 min: a tick this late or less counts as on time (fired even with catchUp 'skip'). */
    scheduleGraceMs: 60_000,
    /** @defaultValue 1 min: a schedule sleeps at most this long before it looks at the clock again. */
    scheduleMaxSleepMs: 60_000,
    /** @defaultValue 1 min: another engine's unfinished claim of a tick or an alarm notification is taken over after this. */
    claimLeaseMs: 60_000,
    /** @defaultValue 1 min between two evaluations of an alarm (CloudWatch's standard period). */
    alarmEveryMs: 60_000,
    /** @defaultValue 10 s: how long stop() lets in-flight batches finish before it hands their messages back. */
    stopDeadlineMs: 10_000,
    /** @defaultValue 1 s: how long a loop waits after an unexpected store error before it tries again. */
    errorBackoffMs: 1000,
    /** @defaultValue 1 s between two flushes of the topics' file and webhook deliveries (a backend that delivers only on flush, as aws). */
    topicFlushMs: 1000,
    /** @defaultValue 30 s: a work lease (a stream's reader, the bucket-event pump, a job's or a map's driver) is taken over by another engine this long after its holder's last renewal; renewed every third of it. */
    leaseMs: 30_000,
    /** @defaultValue 2 s between two looks for jobs and maps whose driver died (or that are due), to resume them. */
    resumeScanMs: 2000,
    /** @defaultValue 10 s between two heartbeats of the engine registry; an entry three beats old counts as dead. */
    engineHeartbeatMs: 10_000,
  },
  dev: {
    /** @defaultValue 100 ms: `baton dev` reloads a handler (or the config) this long after the last change to its files, so one save that writes several times reloads once. */
    reloadDebounceMs: 100,
  },
  dashboard: {
    /** @defaultValue 4747: the port `baton dashboard` and `baton dev` serve the dashboard on (a free one when it is taken). */
    port: 4747,
    /** @defaultValue 127.0.0.1: loopback only; bound elsewhere the dashboard needs its token. */
    host: '127.0.0.1',
    /** Environment variable holding the dashboard's token when bound beyond loopback (else one is generated and printed). */
    tokenEnv: 'BATON_DASHBOARD_TOKEN',
    /** @defaultValue 1 s between samples of the queues (history and live events). */
    sampleEveryMs: 1000,
    /** @defaultValue 10 min of queue history kept per queue. */
    historyMs: 10 * 60_000,
    /** @defaultValue 15 s between keep-alive comments on an event stream. */
    pingMs: 15_000,
    /** @defaultValue 50 items per page of a list. */
    pageSize: 50,
    /** @defaultValue 500: the largest page of a list. */
    maxPageSize: 500,
    /** @defaultValue 1,000 rows at most in a lake query's result. */
    maxQueryRows: 1000,
    /** @defaultValue 2 KiB of a message body shown in a DLQ listing. */
    bodyPreviewBytes: 2048,
    /** @defaultValue 1 MiB: the largest JSON body of an action. */
    maxBodyBytes: 1024 * 1024,
  },
  runs: {
    /** @defaultValue 1,000 most recent runs kept per function. */
    keepPerFn: 1000,
    /** @defaultValue 7 days: older runs (and their logs) are pruned. */
    maxAgeMs: 7 * 86_400_000,
    /** @defaultValue 1 KiB of a run's input kept as its summary. */
    inputSummaryBytes: 1024,
    /** @defaultValue prune after every 200 finished runs (0: only when prune() is called). */
    pruneEvery: 200,
    /**
     * @defaultValue 0: every run's start is written when it starts. Above 0, a synchronous run is
     * written when it starts only once it has run this long, and a shorter run is written once, start
     * and finish in one transaction (one write fewer per batch), but an in-progress run is invisible
     * that long and a run cut off by a crash sooner is not recorded. Off by default: waiting on run
     * history ("no run running") raced with it, and its speed-up was not shown above the machine's noise.
     */
    startWriteDelayMs: 0,
    /** @defaultValue 1 s: how often a process running runs reads the cancel requests (runtime/invoke/cancel.ts). */
    cancelPollMs: 1000,
  },
  jobs: {
    /** @defaultValue 256 KiB: a larger checkpoint is refused (store the value as an object and checkpoint its key). */
    maxCheckpointBytes: 256 * 1024,
    /** @defaultValue 10,000 relays at most per job (continues and retries together). */
    maxRelays: 10_000,
    /** @defaultValue 5 retries of a failed attempt (an error, a timeout without a checkpoint) before the job fails, as fn's and map's retries. */
    retries: 5,
    /** @defaultValue 1 s before retrying a failed relay; doubles per failure up to retryMaxMs. */
    retryBaseMs: 1000,
    /** @defaultValue 1 min: the longest wait before retrying a failed relay. */
    retryMaxMs: 60_000,
    /** @defaultValue true: a job whose relays keep timing out without progress moves to the container executor. */
    promote: true,
    /** @defaultValue 2 timeouts in a row without a checkpoint before promotion. */
    promoteAfterStalls: 2,
    /** @defaultValue 1 s: ctx.each() checkpoints and continues when less time than this remains. */
    marginMs: 1000,
    /** @defaultValue 3 retries of a failing step (after its first attempt). */
    stepRetries: 3,
    /** @defaultValue 1 s before a step's first retry; doubles per retry up to retryMaxMs. */
    stepBackoffMs: 1000,
    /** @defaultValue 64 KiB: a larger step result is journaled as an object, not inline. */
    stepInlineBytes: 64 * 1024,
    /** @defaultValue 'baton-jobs': the bucket holding large step results. */
    bucket: 'baton-jobs',
    /** @defaultValue 30 s: a job's driver lease (one process drives a job at a time) is taken over this long after its holder's last renewal. */
    leaseMs: 30_000,
    /** @defaultValue 1 s between two looks at a job another process drives, by run() waiting for its end. */
    followMs: 1000,
  },
  map: {
    /** @defaultValue 16 invocations at once. */
    concurrency: 16,
    /** @defaultValue 1 item per invocation (the event is the item itself). */
    batchSize: 1,
    /** @defaultValue 2 retries of a failing item (after its first attempt). */
    retries: 2,
    /** @defaultValue 0 failed items tolerated: one final failure stops the map. */
    toleratedFailures: 0,
    /** @defaultValue 1,000 items per read from a source and per ledger write. */
    readBatch: 1000,
    /** @defaultValue 'baton-maps': the bucket holding manifests, results and failures. */
    bucket: 'baton-maps',
  },
  schedule: {
    /** @defaultValue 'UTC' */
    timezone: 'UTC',
    /** @defaultValue 1,000: the most fire times one nextFireTimes or firesBetween call returns. */
    maxFireTimes: 1000,
  },
  data: {
    /** @defaultValue 'baton-catalog': the bucket holding the data catalog's table and partition records. */
    catalogBucket: 'baton-catalog',
    /** @defaultValue '_catalog/': the key prefix of catalog records in that bucket. */
    catalogPrefix: '_catalog/',
    /** @defaultValue 512 MiB: compaction splits an hour's output into files of about this size. */
    targetFileSize: 512 * 1024 * 1024,
    firehose: {
      /** @defaultValue 5 MiB buffered before a flush, as Firehose. */
      bufferBytes: 5 * 1024 * 1024,
      /** @defaultValue 128 MiB: the largest buffer size, as Firehose. */
      maxBufferBytes: 128 * 1024 * 1024,
      /** @defaultValue 300 s before the oldest buffered record is flushed, as Firehose. */
      bufferIntervalMs: 300_000,
      /** @defaultValue 900 s: the longest buffer interval, as Firehose. */
      maxBufferIntervalMs: 900_000,
      /** @defaultValue 500 records per putRecordBatch, as Firehose. */
      maxBatchRecords: 500,
      /** @defaultValue 4 MiB per putRecordBatch, as Firehose. */
      maxBatchBytes: 4 * 1024 * 1024,
      /** @defaultValue 1,000 KiB per record, as Firehose. */
      maxRecordBytes: 1000 * 1024,
      /** @defaultValue 3 failed deliveries of one object before its records go to the error prefix. */
      deliveryAttempts: 3,
    },
  },
  store: {
    /** @defaultValue '.baton': where the local backend keeps its SQLite file and objects. */
    dir: '.baton',
    /** Environment variable overriding the state directory. */
    dirEnv: 'BATON_DIR',
    /** Environment variable naming the backend a handler's connect() opens ('local'). */
    backendEnv: 'BATON_BACKEND',
    /** @defaultValue 5 s to wait for a SQLite write lock held by another process. */
    busyTimeoutMs: 5000,
    /** @defaultValue 50 ms: how long a thread waits on the in-process write lock between checks. */
    writeLockPollMs: 50,
    /** @defaultValue 2 s: one holder kept the in-process write lock this long: presume it dead and take over (SQLite's own lock still holds). */
    writeLockStealAfterMs: 2000,
    /** @defaultValue 1 s: a connection that wrote checkpoints the WAL (PASSIVE) at most this often, outside the write lock. */
    checkpointIntervalMs: 1000,
    /** @defaultValue 250 ms: a write the engine's thread waits for without blocking (db.ts writeWhenFree) queues up as any other after this. */
    writeWhenFreeMaxWaitMs: 250,
    /**
     * @defaultValue 'us-east-1': the region embedded runs name in every ARN they build and in a
     * handler's AWS_REGION / AWS_DEFAULT_REGION, as Lambda sets them; BATON_REGION overrides it.
     */
    region: 'us-east-1',
    /** Environment variable overriding {@link defaults.store.region}. */
    regionEnv: 'BATON_REGION',
    /** @defaultValue '000000000000': the account embedded ARNs carry (the one local AWS stacks use). */
    account: '000000000000',
  },
} as const;

/** Every environment variable Baton reads. */
export const envVars = {
  BATON_DIR: 'the local backend state directory (default .baton)',
  BATON_BACKEND: "the backend connect() opens inside a handler (set by the executor; 'local')",
  BATON_DASHBOARD_TOKEN: 'the token the dashboard requires when bound beyond loopback (else a generated one is printed)',
  BATON_PARAMS_KEY: 'base64 32-byte key encrypting SecureString parameters (else a generated key file)',
  BATON_REGION: "the region embedded runs put in ARNs and in a handler's AWS_REGION (default us-east-1)",
} as const;
