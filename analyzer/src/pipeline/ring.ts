/** Fixed-size ring buffer: keeps the last `capacity` items, oldest first on read. */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** The newest `limit` items, newest last. */
  recent(limit = this.capacity): T[] {
    const n = Math.min(limit, this.size);
    const out: T[] = [];
    for (let i = n; i > 0; i--) out.push(this.items[(this.next - i + this.capacity) % this.capacity] as T);
    return out;
  }

  get length(): number {
    return this.size;
  }
}
