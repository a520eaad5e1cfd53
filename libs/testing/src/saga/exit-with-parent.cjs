// Preloaded (`node --require`) into every service process that ProcessPlatform starts (the chaos run,
// the process-level tests): the process stops itself once the process that started it is gone, however
// that one ended — a crash, or a SIGKILL that no handler of its own could see. The parent's own exit
// handler kills its children when it can; this covers the case when it cannot.
'use strict';
const { readFileSync } = require('node:fs');

// The spawner's pid as it gave it: if it died while this process was starting, process.ppid is already
// the process that adopted this one.
const parent = Number(process.env.SAGA_PARENT_PID) || process.ppid;

/** The parent's pid now (from /proc on Linux), or undefined where that cannot be read. */
function parentNow() {
  try {
    // /proc/self/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after its ')'.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function parentGone() {
  const now = parentNow();
  if (now !== undefined) return now !== parent;
  try {
    process.kill(parent, 0);
    return false;
  } catch (error) {
    return error.code === 'ESRCH';
  }
}

setInterval(() => {
  if (!parentGone()) return;
  process.kill(process.pid, 'SIGTERM'); // its shutdown hooks run, as in a deployment
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 10_000).unref();
}, 500).unref();
