package main

import (
	"context"
	"fmt"
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
		return b.analyze(ctx)
	}
	if err := grow(b.o.small); err != nil {
		return err
	}
	srv, _, pl, err := b.startAuthorized(ctx, users)
	if err != nil {
		return err
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
	for i, wl := range wls {
		large, err := b.measure(ctx, srv, users, pl, wl, 0)
		if err != nil {
			return err
		}
		large.Tasks = b.o.large
		b.report.Scale = append(b.report.Scale, ScaleRow{Workload: wl.name, Engine: b.st.Engine(),
			Small: small[i], Large: large,
			CostRatio: ratio(small[i].RPS, large.RPS), P50Ratio: ratio(large.P50MS, small[i].P50MS),
			P99Ratio: ratio(large.P99MS, small[i].P99MS)})
	}
	if err := writeScaleTable(b.stdout, b.report, b.o.markdown); err != nil {
		return err
	}
	return b.writeJSON()
}
