/** One point of a series: `t` is epoch milliseconds (bucket start), `v` the value. */
export interface Point {
  readonly t: number;
  readonly v: number;
}
