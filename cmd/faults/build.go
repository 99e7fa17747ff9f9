package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// build compiles the three binaries a scenario runs, one after the other (the machine is
// shared): griddispatch and loadgen from the repository, nats-server from the module cache
// at the version go.mod requires.
func build(ctx context.Context, source, bin string, log io.Writer) error {
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, b := range []struct{ out, pkg string }{
		{"griddispatch", "./cmd/griddispatch"},
		{"loadgen", "./cmd/loadgen"},
		{"nats-server", "github.com/nats-io/nats-server/v2"},
	} {
		fmt.Fprintf(log, "building %s\n", b.out)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, b.out), b.pkg)
		cmd.Dir = source
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %w\n%s", b.pkg, err, out)
		}
	}
	return nil
}

// supportsReplicas says whether this griddispatch can be told the streams' replicas, so the
// cluster scenario keeps every stream on all three NATS nodes.
func supportsReplicas(ctx context.Context, bin string) bool {
	out, _ := exec.CommandContext(ctx, filepath.Join(bin, "griddispatch"), "serve", "--help").CombinedOutput()
	return strings.Contains(string(out), "--nats-replicas")
}
