package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/rules-distill/rules_distill/tools/internal/faultproxy"
	"github.com/rules-distill/rules_distill/tools/pkg/atomicfile"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func run() error {
	upstream := flag.String("upstream", "", "the registry to forward to, as http://`HOST:PORT`")
	schedule := flag.String("faults", "", "the fault `SCHEDULE` (faultproxy.ParseRules: METHOD KIND [#N|#N-M|#N+] [after=BYTES] reset|STATUS; ...)")
	addrFile := flag.String("addr-file", "", "where to write the proxy's HOST:PORT once it listens, as `FILE`")
	recordsFile := flag.String("records", "", "where to write the requests seen, as JSON, when stopped, as `FILE`")
	flag.Parse()
	if *upstream == "" || *addrFile == "" || flag.NArg() != 0 {
		flag.Usage()
		return fmt.Errorf("--upstream and --addr-file are required, and nothing else")
	}
	rules, err := faultproxy.ParseRules(*schedule)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := faultproxy.New(*upstream, rules...)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := atomicfile.WriteFile(*addrFile, []byte(p.Addr()+"\n")); err != nil {
		return err
	}
	<-ctx.Done()
	if *recordsFile == "" {
		return nil
	}
	data, err := json.MarshalIndent(p.Records(), "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the records: %w", err)
	}
	return atomicfile.WriteFile(*recordsFile, append(data, '\n'))
}
