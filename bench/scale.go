package main

import (
	"context"
	"fmt"
	"slices"
)

// scaleUsername owns the tasks of scale mode. It is deleted and made anew
// at the start of every scale run, so the small measurement is small.
const scaleUsername = "bench_scale"

// scale measures the list workloads with one user owning --small tasks,
// grows the same user to --large, and measures again.
func (b *bench) scale(ctx context.Context) error {
	wls, err := findWorkloads(b.o.workloads)
	if err != nil {
		return err
	}
	var u *benchUser
	err = b.timed("scale user (deleting an earlier one)", func() (int, error) {
		if err := b.seed.deleteUser(ctx, scaleUsername); err != nil {
			return 0, err
		}
		u, err = b.seed.ensureUser(ctx, scaleUsername)
		return 1, err
	})
	if err != nil {
		return err
	}
	users := []*benchUser{u}
	grow := func(n int) error {
		err := b.timed(fmt.Sprintf("scale user's tasks up to %s", sizeText(n)), func() (int, error) {
			return b.seed.topUp(ctx, u, n, b.o.sample)
		})
		if err != nil {
			return err
		}
		if slices.ContainsFunc(wls, needsTags) {
			err := b.timed("scale user's tags", func() (int, error) { return 1, b.seed.ensureTags(ctx, u) })
			if err != nil {
				return err
			}
		}
		return b.analyze(ctx)
	}
	if err := grow(b.o.small); err != nil {
		return err
	}
	// One user sends every search here: taskapi's bound on one user's
	// concurrent searches (2) would answer most of them 429. Given first,
	// so that a --server-arg still decides.
	b.o.serverArgs = append([]string{"--searches-per-user=1000"}, b.o.serverArgs...)
	srv, ts, pl, err := b.startAuthorized(ctx, users)
	if err != nil {
		return err
	}
	feed := slices.ContainsFunc(wls, func(w workload) bool {
		return slices.ContainsFunc(w.parts, func(p weighted) bool { return p.kind == kindChanges })
	})
	if feed {
		if err := ts.prepareFeed(ctx, b, u); err != nil {
			return err
		}
	}
	small := make([]Result, len(wls))
	for i, wl := range wls {
		if small[i], err = b.measure(ctx, srv, users, pl, wl, 0); err != nil {
			return err
		}
		small[i].Tasks = b.o.small
	}
	if err := grow(b.o.large); err != nil {
		return err
	}
	if feed {
		// The feed grows too: --large changes of history before the
		// 1,000 the workload catches up on.
		err := b.timed(fmt.Sprintf("scale user's change feed up to %s", sizeText(b.o.large)), func() (int, error) {
			return b.o.large, b.seed.growFeed(ctx, u, b.o.large)
		})
		if err == nil {
			err = ts.feedAtHead(ctx, b, u)
		}
		if err != nil {
			return err
		}
	}
	for i, wl := range wls {
		large, err := b.measure(ctx, srv, users, pl, wl, 0)
		if err != nil {
			return err
		}
		large.Tasks = b.o.large
		b.report.Scale = append(b.report.Scale, ScaleRow{Workload: wl.name, Engine: b.st.Engine(),
			Small: small[i], Large: large,
			CostRatio: ratio(small[i].RPS, large.RPS), P50Ratio: ratio(large.P50MS, small[i].P50MS),
			P99Ratio: ratio(large.P99MS, small[i].P99MS), CPURatio: ratio(large.ServerCPUMS, small[i].ServerCPUMS)})
	}
	if err := writeScaleTable(b.stdout, b.report, b.o.markdown); err != nil {
		return err
	}
	return b.writeJSON()
}
