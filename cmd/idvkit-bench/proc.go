package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of /proc/<pid>/stat's CPU times (CLK_TCK), read once from getconf.
type clockTicks struct {
	perSecond int64
	source    string // how it was found, for the report
}

func readClockTicks(ctx context.Context) clockTicks {
	out, err := exec.CommandContext(ctx, "getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			return clockTicks{perSecond: n, source: "getconf CLK_TCK"}
		}
	}
	return clockTicks{perSecond: 100, source: "assumed (getconf CLK_TCK failed)"}
}

func (c clockTicks) duration(ticks int64) time.Duration {
	return time.Duration(ticks) * time.Second / time.Duration(c.perSecond)
}

// processCPU is a process's user plus system CPU time so far, in clock ticks, every thread included.
func processCPU(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	_, cpu, err := parseStat(string(data))
	return cpu, err
}

// treeCPU is processCPU summed over a process and every process under it.
func treeCPU(root int) (int64, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	children := map[int][]int{}
	cpu := map[int]int64{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone since the listing
		}
		ppid, ticks, err := parseStat(string(data))
		if err != nil {
			return 0, err
		}
		children[ppid] = append(children[ppid], pid)
		cpu[pid] = ticks
	}
	if _, ok := cpu[root]; !ok {
		return 0, fmt.Errorf("process %d is gone", root)
	}
	var sum int64
	for todo := []int{root}; len(todo) > 0; {
		pid := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[pid]...)
		sum += cpu[pid]
	}
	return sum, nil
}

// parseStat reads the parent pid (field 4) and utime plus stime (fields 14 and 15) from a
// /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold spaces and
// parentheses itself, so fields are counted from the last ')'.
func parseStat(stat string) (ppid int, cpu int64, err error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("/proc stat: no command name in %.80q", stat)
	}
	fields := strings.Fields(stat[i+1:]) // fields[0] is field 3, state
	if len(fields) < 13 {
		return 0, 0, fmt.Errorf("/proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	if ppid, err = strconv.Atoi(fields[1]); err != nil {
		return 0, 0, fmt.Errorf("/proc stat ppid: %v", err)
	}
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("/proc stat utime: %v", err)
	}
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("/proc stat stime: %v", err)
	}
	return ppid, utime + stime, nil
}

// memory reads a size line of /proc/<pid>/status (VmRSS, VmHWM), in bytes.
func memory(pid int, key string) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	return parseStatusSize(string(data), key)
}

func parseStatusSize(status, key string) (int64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || name != key {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("/proc status %s: %q", key, rest)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc status %s: %v", key, err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("/proc status: no %s line", key)
}

// cpuTicks is one CPU's busy (not idle, not iowait) and total time so far, in clock ticks, from /proc/stat.
type cpuTicks struct{ busy, total int64 }

// cpuBusy reads /proc/stat's line for one CPU ("cpu0").
func cpuBusy(cpu string) (cpuTicks, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}, err
	}
	return parseCPULine(string(data), cpu)
}

// parseCPULine reads "cpuN user nice system idle iowait irq softirq steal ..." from /proc/stat.
func parseCPULine(stat, cpu string) (cpuTicks, error) {
	for line := range strings.SplitSeq(stat, "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != cpu {
			continue
		}
		var t cpuTicks
		for i, s := range f[1:9] {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return cpuTicks{}, fmt.Errorf("/proc/stat %s: %v", cpu, err)
			}
			t.total += n
			if i != 3 && i != 4 { // idle, iowait
				t.busy += n
			}
		}
		return t, nil
	}
	return cpuTicks{}, fmt.Errorf("/proc/stat: no %s line", cpu)
}
