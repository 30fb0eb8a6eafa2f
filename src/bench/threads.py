"""Prints the CPU ticks of each thread group of a process as JSON: {"group": ticks}.

A group is the thread's name without its number (Tomcat's request threads, the usage writer, the upstream
client's threads, the JIT compilers, GC...), so a load run's CPU can be split by what spent it."""
import json, os, re, sys

pid = sys.argv[1]
groups = {}
for tid in os.listdir("/proc/%s/task" % pid):
    try:
        stat = open("/proc/%s/task/%s/stat" % (pid, tid)).read()
    except OSError:
        continue  # the thread ended meanwhile
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    group = re.sub(r"[-#\s]*\d+$", "", name).strip() or name
    groups[group] = groups.get(group, 0) + ticks
print(json.dumps(groups))
