// Preloaded with NODE_OPTIONS="--require <this file>" (node refuses --cpu-prof in NODE_OPTIONS): samples the
// process's CPU from start to exit and writes a .cpuprofile (Chrome DevTools / speedscope) to BENCH_CPU_PROFILE.
// The in-process inspector session answers synchronously, so the profile can be written from the 'exit' handler.
import { writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';

const out = process.env.BENCH_CPU_PROFILE;
if (out) {
    const session = new Session();
    session.connect();
    session.post('Profiler.enable');
    session.post('Profiler.setSamplingInterval', { interval: 500 });
    session.post('Profiler.start');
    process.on('exit', () => {
        session.post('Profiler.stop', (err, res: Profiler.StopReturnType) => {
            if (!err) writeFileSync(out, JSON.stringify(res.profile));
        });
    });
}
