package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Peak memory is read the same way in every peer: VmHWM from /proc/self/status, after resetting
// it to the current RSS through /proc/self/clear_refs, so that it covers only the measured call.

// procStatusKiB returns a "Vm..." field of /proc/self/status in KiB, or -1.
func procStatusKiB(field string) int64 {
	file, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer file.Close()
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		line := scanner.Text()
		if strings.HasPrefix(line, field+":") {
			value := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, field+":"), "kB"))
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// resetPeak collects garbage, returns it to the system and restarts the peak from the current RSS.
// It returns that RSS in KiB.
func resetPeak() int64 {
	runtime.GC()
	debug.FreeOSMemory()
	// Without clear_refs (old kernels, some sandboxes) the peak covers the process's lifetime.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatusKiB("VmRSS")
}
