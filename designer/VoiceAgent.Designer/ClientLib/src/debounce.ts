export interface Debounced {
  /** Schedules a run after the wait (restarting it). */
  schedule(): void;
  /** Runs what is scheduled now and resolves when nothing is left to run. */
  flush(): Promise<void>;
  cancel(): void;
  readonly pending: boolean;
}

/** Debounces an async action: one run at a time; a call scheduled during a run is served right after it. */
export function debounce(action: () => Promise<void>, waitMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> | null = null;
  let dirty = false;

  async function drain(): Promise<void> {
    while (dirty) {
      dirty = false;
      await action();
    }
  }

  function start(): Promise<void> {
    running ??= drain().finally(() => {
      running = null;
    });
    return running;
  }

  function clearTimer() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  return {
    schedule() {
      dirty = true;
      clearTimer();
      timer = setTimeout(() => {
        timer = null;
        void start();
      }, waitMs);
    },
    flush() {
      clearTimer();
      return dirty || running ? start() : Promise.resolve();
    },
    cancel() {
      clearTimer();
      dirty = false;
    },
    get pending() {
      return dirty || running !== null;
    },
  };
}
