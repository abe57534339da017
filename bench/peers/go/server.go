package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/varlink/go/varlink"
	"orgexamplebench"
)

// benchService implements org.example.bench the way a Go user of varlink/go would.
type benchService struct{}

func (benchService) Ping(ctx context.Context, c orgexamplebench.VarlinkCall, ping string) error {
	return c.ReplyPing(ctx, ping)
}

func (benchService) Echo(ctx context.Context, c orgexamplebench.VarlinkCall, items []orgexamplebench.Item) error {
	return c.ReplyEcho(ctx, items)
}

func (benchService) Stream(ctx context.Context, c orgexamplebench.VarlinkCall, count int64) error {
	if count > 1 && !c.WantsMore() {
		return c.ReplyError(ctx, "org.varlink.service.ExpectedMore", nil)
	}
	for i := int64(0); i < count; i++ {
		// Every reply but the last carries "continues".
		c.Continues = i+1 < count
		if err := c.ReplyStream(ctx, smallItem(i)); err != nil {
			return err
		}
	}
	return nil
}

// runServer serves until SIGTERM, speaking the servers' side of the orchestrator's protocol on
// stdout: "ready" once listening, "reset" after SIGUSR1 restarted the peak memory, and a JSON
// memory report when terminated.
func runServer(address string) error {
	service, err := varlink.NewService("varlink-ts bench", "go peer", "1", "https://varlink.org")
	if err != nil {
		return err
	}
	if err := service.RegisterInterface(orgexamplebench.VarlinkNew(benchService{})); err != nil {
		return err
	}
	ctx := context.Background()
	if err := service.Bind(ctx, address); err != nil {
		return err
	}
	baseline := resetPeak()
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGUSR1, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		for sig := range signals {
			if sig == syscall.SIGUSR1 {
				baseline = resetPeak()
				fmt.Println("reset")
				continue
			}
			report, _ := json.Marshal(map[string]int64{"baselineKiB": baseline, "peakKiB": procStatusKiB("VmHWM")})
			fmt.Println(string(report))
			_ = service.Shutdown()
			os.Exit(0)
		}
	}()
	fmt.Println("ready")
	return service.DoListen(ctx, 0)
}
