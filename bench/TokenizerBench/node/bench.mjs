// Usage: node bench.mjs TEXT_FILE RUNS — prints one JSON line per encoding: name, tokens, and the median
// wall-clock and process-CPU seconds of one encode_ordinary pass (CPU time is steadier on a busy machine).
import { readFileSync } from "node:fs";
import { get_encoding } from "tiktoken";

const [file, runsArg] = process.argv.slice(2);
const text = readFileSync(file, "utf8");
const runs = Number(runsArg ?? 7);

for (const name of ["o200k_base", "cl100k_base"]) {
  const encoding = get_encoding(name);
  const tokens = encoding.encode_ordinary(text).length; // also the warm-up pass
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    encoding.encode_ordinary(text);
    wall.push(Number(process.hrtime.bigint() - start) / 1e9);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1e6);
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(JSON.stringify({ name, tokens, seconds: median(wall), cpuSeconds: median(cpu) }));
  encoding.free();
}
