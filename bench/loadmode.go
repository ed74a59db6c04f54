package main

import (
	"context"
	"slices"
)

// load is the default mode: every workload against taskapi and, for those
// the floors answer, against both floors right after, on the same data;
// then, with --open-loop or --rate, the same at a fixed arrival rate.
func (b *bench) load(ctx context.Context) error {
	wls, err := findWorkloads(b.o.workloads)
	if err != nil {
		return err
	}
	users, err := b.seedUsers(ctx)
	if err != nil {
		return err
	}
	srv, ts, pl, err := b.startAuthorized(ctx, users)
	if err != nil {
		return err
	}
	if err := b.prepare(ctx, ts, users, wls); err != nil {
		return err
	}
	floors, err := b.startFloors(ctx, wls)
	if err != nil {
		return err
	}
	b.report.LoadBefore = loadAverage()
	for _, wl := range wls {
		res, err := b.measure(ctx, srv, users, pl, wl, 0)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(wl.parts, func(p weighted) bool { return p.kind == kindLogin }) {
			// Each login opened a session; the server may end a user's
			// oldest sessions beyond a cap, those whose tokens the other
			// workloads use. Take fresh ones.
			if err := ts.authorize(ctx, users, b.o.sessions); err != nil {
				return err
			}
		}
		if !wl.floor || len(floors) == 0 {
			b.report.Results = append(b.report.Results, res)
			continue
		}
		out := []Result{res}
		for _, fl := range floors {
			fres, err := b.measure(ctx, fl, users, pl, wl, 0)
			if err != nil {
				return err
			}
			if fl.name == floorName {
				res.VsFloor = ratio(res.RPS, fres.RPS)
			} else {
				res.VsFloorNoSession = ratio(res.RPS, fres.RPS)
			}
			out = append(out, fres)
		}
		out[0] = res
		b.report.Results = append(b.report.Results, out...)
		if open, err := b.openLoop(ctx, srv, floors[0], users, pl, wl, out[1].RPS/2); err != nil {
			return err
		} else {
			b.report.Results = append(b.report.Results, open...)
		}
	}
	b.report.LoadAfter = loadAverage()
	if err := writeTable(b.stdout, b.report, b.o.markdown); err != nil {
		return err
	}
	return b.writeJSON()
}

// prepare gives the users what the chosen workloads need beyond tokens:
// a task with subtasks, a web session.
func (b *bench) prepare(ctx context.Context, ts *tokenSource, users []*benchUser, wls []workload) error {
	needs := func(k kind) bool {
		return slices.ContainsFunc(wls, func(w workload) bool {
			return slices.ContainsFunc(w.parts, func(p weighted) bool { return p.kind == k })
		})
	}
	for _, u := range users {
		if needs(kindSubtasks) {
			if err := b.seed.ensureTree(ctx, u); err != nil {
				return err
			}
		}
		if slices.ContainsFunc(wls, needsTags) {
			if err := b.seed.ensureTags(ctx, u); err != nil {
				return err
			}
		}
		if needs(kindChanges) {
			if err := ts.prepareFeed(ctx, b, u); err != nil {
				return err
			}
		}
		if needs(kindWebList) {
			if err := ts.webLogin(ctx, u); err != nil {
				return err
			}
		}
	}
	return nil
}

// startFloors starts the floor that checks sessions and the one that does
// not, when a workload has a floor and the token check can be made.
func (b *bench) startFloors(ctx context.Context, wls []workload) ([]*server, error) {
	if !b.o.floor || !slices.ContainsFunc(wls, func(w workload) bool { return w.floor }) {
		return nil, nil
	}
	if b.jwtSecret == "" {
		b.report.Notes = append(b.report.Notes, "no floor: its token check needs --jwt-secret")
		return nil, nil
	}
	var floors []*server
	for _, check := range []bool{true, false} {
		fl, err := b.startFloor(ctx, check)
		if err != nil {
			return nil, err
		}
		floors = append(floors, fl)
	}
	return floors, nil
}

// openLoop measures wl at a fixed arrival rate against taskapi and the
// floor, when asked (--open-loop: at half the floor's closed-loop
// throughput, the floorRate given; --rate: at that rate).
func (b *bench) openLoop(ctx context.Context, srv, fl *server, users []*benchUser, pl *payloads, wl workload, floorRate float64) ([]Result, error) {
	rate := b.o.rate
	if rate == 0 && b.o.openLoop {
		rate = floorRate
	}
	if rate <= 0 {
		return nil, nil
	}
	res, err := b.measure(ctx, srv, users, pl, wl, rate)
	if err != nil {
		return nil, err
	}
	fres, err := b.measure(ctx, fl, users, pl, wl, rate)
	if err != nil {
		return nil, err
	}
	res.P99VsFloor = ratio(res.P99MS, fres.P99MS)
	return []Result{res, fres}, nil
}
