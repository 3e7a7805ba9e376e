// What a scenario hands back to its Python test: one `RESULT <name> <json>` line per value.
export function emit(name, value) {
  process.stdout.write(`RESULT ${name} ${JSON.stringify(value)}\n`);
}

export async function collect(iterable) {
  const out = [];
  for await (const item of iterable) out.push(item);
  return out;
}
