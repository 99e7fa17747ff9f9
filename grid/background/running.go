package background

import (
	"runtime"
	"strings"
)

// Running lists the stacks of this process's goroutines that have a frame whose name contains
// one of fns (such as "dispatch.(*Relay).purge"). Tests use it after Close to show that a part
// left nothing running, without the care a whole-process leak check needs around the pools
// and clients a test shares.
func Running(fns ...string) []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var found []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, fn := range fns {
			if strings.Contains(g, fn) {
				found = append(found, g)
				break
			}
		}
	}
	return found
}
