package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/idvkit/idvkit/internal/child"
)

// waitReady polls url until ready accepts an answer, the process exits, or within passes.
func waitReady(ctx context.Context, p *child.Process, url string, ready func(status int) bool, within time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if ready(resp.StatusCode) {
				return nil
			}
		}
		select {
		case <-p.Done():
			return fmt.Errorf("%s exited before it was ready: %v", p.Name, p.Exited())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %v\n%s", p.Name, within, p.Output())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
