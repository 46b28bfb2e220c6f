/**
 * One API client per configured source, made on first use and kept for the process: its session,
 * token and request pacing live in it, so every poll of that source shares them. Arguments after the
 * config (a clock, say) are those of the first use.
 */
export function clientPerSource<C extends { readonly name: string }, A extends unknown[], T>(make: (config: C, ...rest: A) => T): (config: C, ...rest: A) => T {
  const made = new Map<string, T>();
  return (config, ...rest) => {
    let client = made.get(config.name);
    if (client === undefined) {
      client = make(config, ...rest);
      made.set(config.name, client);
    }
    return client;
  };
}
