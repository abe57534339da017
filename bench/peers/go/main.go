// Command varlink-bench-peer is the Go side of the side-by-side benchmark: a server and a client
// for org.example.bench built on github.com/varlink/go, speaking the same driver protocol as the
// TypeScript and raw Node peers (see bench/src/shared/driver-args.ts).
//
//	varlink-bench-peer server ADDRESS
//	varlink-bench-peer client -address ADDRESS -scenario NAME [-warmup MS] [-duration MS] [-size BYTES]
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: varlink-bench-peer server ADDRESS | client -address ADDRESS -scenario NAME ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "server":
		if len(os.Args) != 3 {
			fmt.Fprintln(os.Stderr, "usage: varlink-bench-peer server ADDRESS")
			os.Exit(2)
		}
		err = runServer(os.Args[2])
	case "client":
		err = runClient(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "varlink-bench-peer:", err)
		os.Exit(1)
	}
}
