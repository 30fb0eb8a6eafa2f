"""Summarises a JFR CPU profile of the gateway as JSON, from `jfr print --stack-depth 300 --events
jdk.ExecutionSample` on stdin.

JFR samples the threads that are running Java code (not those in a system call). Each sample is counted
under its thread group (the thread's name without its number), under the library that was running (the
frame nearest the top of the stack that is not the JDK's own, so a HashMap lookup made by Jersey counts
as Jersey), and under the gateway step it ran for (the innermost frame of the gateway's own code, or
none when the sample is in the container or the framework around it: a servlet filter that only passes
the request on does not count as a step).
"""
import json, re, sys

LIBRARIES = [("org.apache.catalina.", "Tomcat"), ("org.apache.coyote.", "Tomcat"), ("org.apache.tomcat.", "Tomcat"),
             ("org.glassfish.jersey.", "Jersey and HK2"), ("org.glassfish.hk2.", "Jersey and HK2"),
             ("org.jvnet.hk2.", "Jersey and HK2"), ("jakarta.ws.rs.", "Jersey and HK2"),
             ("com.fasterxml.jackson.", "Jackson"), ("org.eclipse.jetty.", "Jetty client"),
             ("io.tokenrouter.", "the gateway's own code"), ("org.h2.", "H2"), ("org.postgresql.", "PostgreSQL JDBC"),
             ("com.zaxxer.hikari.", "HikariCP"), ("org.hibernate.", "Hibernate"), ("org.jboss.weld.", "Weld (CDI)"),
             ("io.micrometer.", "Micrometer"), ("com.knuddels.jtokkit.", "jtokkit"),
             ("com.github.benmanes.caffeine.", "Caffeine (caches)")]
# the gateway's frames that only pass the request on: a sample under them alone ran in the framework
PASS_THROUGH = ("io.tokenrouter.proxy.V1ServletFilter.doFilter",)
JDK = ("java.", "javax.", "jdk.", "sun.", "com.sun.")


def library(frame_class):
    for prefix, name in LIBRARIES:
        if frame_class.startswith(prefix):
            return name
    return ".".join(frame_class.split(".")[:2])


def step(frame):
    """io.tokenrouter.proxy.Forwarder.forward(...) -> Forwarder.forward"""
    method = frame.split("(")[0]
    cls, name = method.rsplit(".", 1)
    return cls.rsplit(".", 1)[-1].split("$")[0] + "." + name


def allocated(recording):
    """Bytes each thread group allocated during the recording: per thread, its last figure less its first."""
    first, last = {}, {}
    for event in recording["recording"]["events"]:
        thread = event["values"].get("thread") or {}
        key = (thread.get("javaThreadId"), thread.get("javaName") or thread.get("osName") or "?")
        first.setdefault(key, event["values"]["allocated"])
        last[key] = event["values"]["allocated"]
    groups = {}
    for key, value in last.items():
        group = re.sub(r"[-#\s]*\d+$", "", key[1]).strip() or key[1]
        groups[group] = groups.get(group, 0) + value - first[key]
    return {g: b for g, b in groups.items() if b > 0}


def summarise(lines):
    threads, libraries, steps = {}, {}, {}
    thread, frames, in_stack = None, [], False
    total = 0
    for line in lines:
        line = line.strip()
        if line.startswith("sampledThread = "):
            name = line.split('"')[1]
            thread = re.sub(r"[-#\s]*\d+$", "", name).strip() or name
        elif line.startswith("stackTrace = ["):
            frames, in_stack = [], True
        elif in_stack and line == "]":
            in_stack = False
            if thread is None or not frames:
                continue
            total += 1
            classes = [f.split("(")[0].rsplit(".", 1)[0] for f in frames]
            lib = next((library(c) for c in classes if not c.startswith(JDK)), "the JDK alone (thread pools, queues)")
            own = next((step(f) for f, c in zip(frames, classes)
                        if c.startswith("io.tokenrouter.") and not f.startswith(PASS_THROUGH)), None)
            threads[thread] = threads.get(thread, 0) + 1
            by_lib = libraries.setdefault(thread, {})
            by_lib[lib] = by_lib.get(lib, 0) + 1
            if own:
                by_step = steps.setdefault(thread, {})
                by_step[own] = by_step.get(own, 0) + 1
        elif in_stack and line and not line.startswith("..."):
            frames.append(line)
    return {"samples": total, "threads": threads, "libraries": libraries, "steps": steps}


if __name__ == "__main__":
    import argparse
    args = argparse.ArgumentParser()
    args.add_argument("--wrk", help="wrk's RESULT line for the profiled run (JSON)")
    args.add_argument("--user-ticks", type=int, default=0)
    args.add_argument("--system-ticks", type=int, default=0)
    args.add_argument("--hz", type=int, default=100)
    args.add_argument("--allocations", help="`jfr print --json --events jdk.ThreadAllocationStatistics` of the run")
    a = args.parse_args()
    profile = summarise(sys.stdin)
    if a.wrk:
        run = json.loads(a.wrk)
        n = max(1, run["requests"])
        profile.update(requests=run["requests"], rps=run["requests"] / (run["duration_us"] / 1e6),
                       errors=run["socket_errors"] + run["non2xx"],
                       user_us_per_request=a.user_ticks * 1e6 / a.hz / n,
                       system_us_per_request=a.system_ticks * 1e6 / a.hz / n)
        if a.allocations:
            profile["allocated_bytes_per_request"] = {g: b / n for g, b in allocated(json.load(open(a.allocations))).items()}
    print(json.dumps(profile))
