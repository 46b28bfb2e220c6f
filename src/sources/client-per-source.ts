/**
 * One API client per configured source, made on first use and kept for the process: its session,
 * token and request pacing live in it, so every poll of that source shares them.
 */
export function clientPerSource<C extends { readonly name: string }, T>(make: (config: C) => T): (config: C) => T {
  const made = new Map<string, T>();
  return (config) => {
    let client = made.get(config.name);
    if (client === undefined) {
      client = make(config);
      made.set(config.name, client);
    }
    return client;
  };
}
