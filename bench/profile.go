package bench

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/sdevk/sdevk/vk"
)

// profileRows turns one run's dispatch timings into one "profile" row per
// kernel, the most expensive first: its GPU time summed over the run's
// dispatches of it, and its share of the run.
func (r *runner) profileRows(what string, timingsOf func() ([]vk.Timing, error)) ([]Row, error) {
	timings, err := timingsOf()
	if err != nil {
		return nil, err
	}
	if len(timings) == 0 {
		return nil, fmt.Errorf("profile of %s: no timings (is the device opened with vk.Options.Profile, and does its queue support timestamps?)", what)
	}
	type entry struct {
		name  string
		count int
		total time.Duration
	}
	byName := map[string]*entry{}
	var all time.Duration
	for _, t := range timings {
		e := byName[t.Kernel]
		if e == nil {
			e = &entry{name: t.Kernel}
			byName[t.Kernel] = e
		}
		e.count++
		e.total += t.GPU
		all += t.GPU
	}
	entries := make([]*entry, 0, len(byName))
	for _, e := range byName {
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b *entry) int { return cmp.Or(cmp.Compare(b.total, a.total), cmp.Compare(a.name, b.name)) })
	rows := make([]Row, 0, len(entries))
	for _, e := range entries {
		ms := float64(e.total) / 1e6
		rows = append(rows, Row{
			Op: "profile", Shape: what, Variant: fmt.Sprintf("%s x%d", e.name, e.count), Device: r.dev.Info.Name,
			MedianMs: ms, MinMs: ms, MaxMs: ms,
			Note: fmt.Sprintf("%.1f%% of %.3f ms of GPU time in one run", 100*float64(e.total)/float64(max(all, 1)), float64(all)/1e6),
		})
	}
	return rows, nil
}
