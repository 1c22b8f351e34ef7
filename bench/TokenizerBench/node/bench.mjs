// Usage: node bench.mjs TEXT_FILE RUNS — prints one JSON line per encoding: name, tokens, median seconds.
import { readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";

const [file, runsArg] = process.argv.slice(2);
const text = readFileSync(file, "utf8");
const runs = Number(runsArg ?? 7);

for (const name of ["o200k_base", "cl100k_base"]) {
  const encoding = get_encoding(name);
  const tokens = encoding.encode_ordinary(text).length; // also the warm-up pass
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    encoding.encode_ordinary(text);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  times.sort((a, b) => a - b);
  console.log(JSON.stringify({ name, tokens, seconds: times[Math.floor(times.length / 2)] }));
  encoding.free();
}
