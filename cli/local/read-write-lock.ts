/**
 * A readers-writer lock, first come first served: `run(true, …)` waits for every holder and holds
 * the lock alone (the transaction layer's transactions), `run(false, …)` shares it with other
 * shared holders (every other request).
 */
export class ReadWriteLock {
  private active = 0;
  private exclusive = false;
  private readonly waiting: { exclusive: boolean; grant: () => void }[] = [];

  run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    return new Promise<void>((grant) => {
      this.waiting.push({ exclusive, grant });
      this.pump();
    }).then(async () => {
      try {
        return await work();
      } finally {
        this.active -= 1;
        this.exclusive = false;
        this.pump();
      }
    });
  }

  private pump(): void {
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      if (this.exclusive || (next.exclusive && this.active > 0)) return;
      this.waiting.shift();
      this.active += 1;
      this.exclusive = next.exclusive;
      next.grant();
      if (next.exclusive) return;
    }
  }
}
