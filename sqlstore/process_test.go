// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/blob"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestHelperRegistrar is not a test: it is the body of the child processes of
// the tests below. It registers entries for tenant comune-a on PROCEDO_HELPER_DSN
// and prints each acknowledged number on stdout, as a client would see them.
func TestHelperRegistrar(t *testing.T) {
	dsn := os.Getenv("PROCEDO_HELPER_DSN")
	if dsn == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Blobs, err = blob.Open(ctx, "file:"+t.TempDir()); err != nil {
		t.Fatal(err)
	}
	tn, err := sqlstore.NewTenantService(db).FindTenantBySlug(ctx, "comune-a")
	if err != nil {
		t.Fatal(err)
	}
	rctx := procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, tn), procedo.SystemActor)
	regs := sqlstore.NewRegistrationService(db)
	count, _ := strconv.Atoi(os.Getenv("PROCEDO_HELPER_COUNT"))
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; count == 0 || i < count/8; i++ {
				r, err := regs.RegisterEntry(rctx, incoming(fmt.Sprintf("Processo %d client %d n. %d", os.Getpid(), c, i)))
				if err != nil {
					fmt.Fprintln(os.Stderr, "register:", err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(out, "ack %d\n", r.Number)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// startRegistrar starts a child process registering on dsn.
func startRegistrar(t *testing.T, dsn string, count int) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRegistrar$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PROCEDO_HELPER_DSN="+dsn, "PROCEDO_HELPER_COUNT="+strconv.Itoa(count))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout)
}

func dsnOf(db *sqlstore.DB) string {
	if db.Dialect() == "sqlite" {
		return "sqlite:" + db.DSN
	}
	return db.DSN
}

// TestRegistrations_SeveralProcesses: several processes (as several `procedo
// serve` replicas) register on one database at once; numbers stay gap-free.
func TestRegistrations_SeveralProcesses(t *testing.T) {
	env := testkit.NewEnv(t)
	const procs, each = 3, 80
	var cmds []*exec.Cmd
	var acks sync.Map
	var wg sync.WaitGroup
	for p := 0; p < procs; p++ {
		cmd, sc := startRegistrar(t, dsnOf(env.DB), each)
		cmds = append(cmds, cmd)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sc.Scan() {
				if n, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
					if _, dup := acks.LoadOrStore(n, true); dup {
						t.Errorf("number %s acknowledged twice", n)
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("child: %v", err)
		}
	}
	n := 0
	acks.Range(func(_, _ any) bool { n++; return true })
	if n != procs*each {
		t.Fatalf("%d acknowledgements, want %d", n, procs*each)
	}
	if ps, err := env.DB.Verify(context.Background(), ""); err != nil || len(ps) != 0 {
		t.Fatalf("verify: %v %v", ps, err)
	}
}

// TestRegistrations_KillNine kills a registering process with SIGKILL in the
// middle of a load: every acknowledged number is in the register, numbering is
// gap-free and the chain intact, and a new process continues after the last.
func TestRegistrations_KillNine(t *testing.T) {
	env := testkit.NewEnv(t)
	cmd, sc := startRegistrar(t, dsnOf(env.DB), 0) // registers until killed
	var acked []int
	done := make(chan struct{})
	go func() {
		defer close(done)
		for sc.Scan() {
			if s, ok := strings.CutPrefix(sc.Text(), "ack "); ok {
				n, _ := strconv.Atoi(s)
				acked = append(acked, n)
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	<-done
	if len(acked) < 10 {
		t.Fatalf("only %d registrations before the kill", len(acked))
	}
	ctx := env.A.AsUser(env.A.Registry)
	regs := sqlstore.NewRegistrationService(env.DB)
	for _, n := range acked {
		if _, err := regs.FindRegistrationByNumber(ctx, time.Now().Year(), n); err != nil {
			t.Fatalf("acknowledged number %d lost after the crash: %v", n, err)
		}
	}
	if ps, err := env.DB.Verify(context.Background(), ""); err != nil || len(ps) != 0 {
		t.Fatalf("after the crash: %v %v", ps, err)
	}
	// A new process carries on from the last number.
	cmd2, sc2 := startRegistrar(t, dsnOf(env.DB), 16)
	for sc2.Scan() {
	}
	if err := cmd2.Wait(); err != nil {
		t.Fatal(err)
	}
	if ps, err := env.DB.Verify(context.Background(), ""); err != nil || len(ps) != 0 {
		t.Fatalf("after restarting: %v %v", ps, err)
	}
	_, total, _ := regs.FindRegistrations(ctx, procedo.RegistrationFilter{Limit: 1})
	t.Logf("%d acknowledged before SIGKILL; %d in the register after the restart", len(acked), total)
}
