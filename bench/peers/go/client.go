package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/varlink/go/varlink"
	"orgexamplebench"
)

// result is what a client driver prints as its last line: bench/src/shared/report.ts.
type result struct {
	Operations  int64     `json:"operations"`
	Seconds     float64   `json:"seconds"`
	Bytes       int       `json:"bytes,omitempty"`
	Samples     []float64 `json:"samples,omitempty"`
	BaselineKiB int64     `json:"baselineKiB,omitempty"`
	PeakKiB     int64     `json:"peakKiB,omitempty"`
}

type clientOptions struct {
	address  string
	scenario string
	warmup   time.Duration
	duration time.Duration
	size     int
	repeat   int
}

func runClient(args []string) error {
	flags := flag.NewFlagSet("client", flag.ContinueOnError)
	var opts clientOptions
	var warmupMs, durationMs int
	flags.StringVar(&opts.address, "address", "", "varlink address of the server")
	flags.StringVar(&opts.scenario, "scenario", "", "ping, ping-pipelined, ping-8conn, echo, stream or large")
	flags.IntVar(&warmupMs, "warmup", 200, "milliseconds run before measuring")
	flags.IntVar(&durationMs, "duration", 1000, "milliseconds measured")
	flags.IntVar(&opts.size, "size", 10000000, "large: message size in bytes")
	flags.IntVar(&opts.repeat, "repeat", 1, "large: calls timed; the peak memory is that of the first")
	if err := flags.Parse(args); err != nil {
		return err
	}
	opts.warmup = time.Duration(warmupMs) * time.Millisecond
	opts.duration = time.Duration(durationMs) * time.Millisecond

	var res result
	var err error
	switch opts.scenario {
	case "ping":
		res, err = timedWorkers(opts, 1, pingLoop)
	case "ping-8conn":
		res, err = timedWorkers(opts, 8, pingLoop)
	case "ping-pipelined":
		res, err = timedWorkers(opts, 1, pipelinedLoop)
	case "echo":
		res, err = timedWorkers(opts, 1, echoLoop)
	case "stream":
		res, err = timedWorkers(opts, 1, streamLoop)
	case "large":
		res, err = large(opts)
	default:
		err = fmt.Errorf("unknown scenario %q", opts.scenario)
	}
	if err != nil {
		return err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	return nil
}

// loop runs one scenario on one connection until the deadline and returns the operations done.
type loop func(ctx context.Context, conn *varlink.Connection, deadline time.Time) (int64, error)

// timedWorkers runs `workers` connections, each with its own goroutine, first for the warmup
// and then for the measured duration, and reports the operations of the measured part.
func timedWorkers(opts clientOptions, workers int, body loop) (result, error) {
	ctx := context.Background()
	conns := make([]*varlink.Connection, workers)
	for i := range conns {
		conn, err := varlink.NewConnection(ctx, opts.address)
		if err != nil {
			return result{}, err
		}
		defer conn.Close()
		conns[i] = conn
	}
	run := func(duration time.Duration) (int64, float64, error) {
		start := time.Now()
		deadline := start.Add(duration)
		var wg sync.WaitGroup
		var mutex sync.Mutex
		var total int64
		var firstErr error
		for _, conn := range conns {
			wg.Add(1)
			go func(conn *varlink.Connection) {
				defer wg.Done()
				n, err := body(ctx, conn, deadline)
				mutex.Lock()
				total += n
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mutex.Unlock()
			}(conn)
		}
		wg.Wait()
		return total, time.Since(start).Seconds(), firstErr
	}
	if _, _, err := run(opts.warmup); err != nil {
		return result{}, err
	}
	n, seconds, err := run(opts.duration)
	return result{Operations: n, Seconds: seconds}, err
}

func pingLoop(ctx context.Context, conn *varlink.Connection, deadline time.Time) (int64, error) {
	var n int64
	for time.Now().Before(deadline) {
		pong, err := orgexamplebench.Ping().Call(ctx, conn, "ping")
		if err != nil {
			return n, err
		}
		if pong != "ping" {
			return n, fmt.Errorf("unexpected pong %q", pong)
		}
		n++
	}
	return n, nil
}

// pipelineDepth is how many calls the pipelined scenario keeps in flight on its connection.
const pipelineDepth = 32

// pipelinedLoop keeps pipelineDepth calls written ahead of the replies read: varlink/go's Send
// returns a function that reads the call's reply, and replies come in call order.
func pipelinedLoop(ctx context.Context, conn *varlink.Connection, deadline time.Time) (int64, error) {
	type receiver = func(context.Context) (string, uint64, error)
	queue := make([]receiver, 0, pipelineDepth)
	send := func() error {
		receive, err := orgexamplebench.Ping().Send(ctx, conn, 0, "ping")
		if err == nil {
			queue = append(queue, receive)
		}
		return err
	}
	for i := 0; i < pipelineDepth; i++ {
		if err := send(); err != nil {
			return 0, err
		}
	}
	var n int64
	for len(queue) > 0 {
		receive := queue[0]
		queue = queue[1:]
		pong, _, err := receive(ctx)
		if err != nil {
			return n, err
		}
		if pong != "ping" {
			return n, fmt.Errorf("unexpected pong %q", pong)
		}
		n++
		if time.Now().Before(deadline) {
			if err := send(); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// echoItems is how many items an echo call carries each way.
const echoItems = 100

func echoLoop(ctx context.Context, conn *varlink.Connection, deadline time.Time) (int64, error) {
	items := smallItems(echoItems)
	var n int64
	for time.Now().Before(deadline) {
		reply, err := orgexamplebench.Echo().Call(ctx, conn, items)
		if err != nil {
			return n, err
		}
		if len(reply) != echoItems || reply[echoItems-1].Id != echoItems-1 {
			return n, fmt.Errorf("echo returned %d items", len(reply))
		}
		n++
	}
	return n, nil
}

// streamCount is how many replies one stream call asks for.
const streamCount = 20000

// streamLoop repeats whole stream calls until the deadline; an operation is one reply.
func streamLoop(ctx context.Context, conn *varlink.Connection, deadline time.Time) (int64, error) {
	var n int64
	for time.Now().Before(deadline) {
		receive, err := orgexamplebench.Stream().Send(ctx, conn, varlink.More, streamCount)
		if err != nil {
			return n, err
		}
		var got int64
		for {
			item, flags, err := receive(ctx)
			if err != nil {
				return n, err
			}
			if item.Id != got {
				return n, fmt.Errorf("stream reply %d carries item %d", got, item.Id)
			}
			got++
			if flags&varlink.Continues == 0 {
				break
			}
		}
		if got != streamCount {
			return n, fmt.Errorf("stream returned %d replies", got)
		}
		n += got
	}
	return n, nil
}

// large measures one echo of about opts.size bytes each way: the first call's peak memory, and
// the median time of opts.repeat calls. It warms up, prints "warm", and waits for a line on stdin
// so that the orchestrator can restart the server's peak memory before the measured call.
func large(opts clientOptions) (result, error) {
	ctx := context.Background()
	conn, err := varlink.NewConnection(ctx, opts.address)
	if err != nil {
		return result{}, err
	}
	defer conn.Close()
	small := smallItems(echoItems)
	for i := 0; i < 20; i++ {
		if _, err := orgexamplebench.Echo().Call(ctx, conn, small); err != nil {
			return result{}, err
		}
	}
	items := largeItems(opts.size)
	// The size reported is that of the parameters' JSON, the same measure in every peer.
	res := result{Bytes: len(mustMarshal(map[string]interface{}{"items": items}))}
	fmt.Println("warm")
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return result{}, fmt.Errorf("waiting for the go-ahead: %w", err)
	}
	res.BaselineKiB = resetPeak()
	for i := 0; i < opts.repeat; i++ {
		start := time.Now()
		reply, err := orgexamplebench.Echo().Call(ctx, conn, items)
		if err != nil {
			return result{}, err
		}
		res.Samples = append(res.Samples, time.Since(start).Seconds())
		if len(reply) != len(items) {
			return result{}, fmt.Errorf("echo returned %d of %d items", len(reply), len(items))
		}
		reply = nil
		if i == 0 {
			res.PeakKiB = procStatusKiB("VmHWM")
		}
	}
	res.Operations = int64(len(res.Samples))
	res.Seconds = median(res.Samples)
	return res, nil
}

func mustMarshal(value interface{}) []byte {
	out, _ := json.Marshal(value)
	return out
}

func median(values []float64) float64 {
	sorted := append([]float64(nil), values...)
	sort.Float64s(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}
