package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/taskapi/taskapi"
)

// bar is one bar of a chart, laid out in the SVG's coordinates.
type bar struct {
	Label      string
	Value      int64
	X, Y, W, H int
	Class      string
	LabelX     int
	LabelY     int
}

type chart struct {
	Title  string
	Bars   []bar
	Width  int
	Height int
	Max    int64
	Axis   int // y of the base line
	Ticks  []tick
}

type tick struct {
	Y     int
	Label string
}

type overviewPage struct {
	Open, Overdue, DueToday, Done7 int64
	ByPriority, ByStatus, Daily    chart
	DailyTotal                     int64
	Days                           []bar
}

// barChart lays out bars of equal width under a common scale.
func barChart(title string, bars []bar, width, height int) chart {
	c := chart{Title: title, Width: width, Height: height, Axis: height - 24}
	for _, b := range bars {
		c.Max = max(c.Max, b.Value)
	}
	scale := max(c.Max, 1)
	left, slot := 36, (width-40)/max(len(bars), 1)
	for i := range bars {
		b := &bars[i]
		b.W = max(slot*7/10, 2)
		b.X = left + i*slot + (slot-b.W)/2
		b.H = int(int64(c.Axis-12) * b.Value / scale)
		b.Y = c.Axis - b.H
		b.LabelX, b.LabelY = b.X+b.W/2, c.Axis+16
	}
	c.Bars = bars
	for _, v := range []int64{0, scale / 2, scale} {
		if v == scale/2 && (scale < 2 || scale%2 != 0) {
			continue
		}
		c.Ticks = append(c.Ticks, tick{Y: c.Axis - int(int64(c.Axis-12)*v/scale), Label: fmt.Sprint(v)})
	}
	return c
}

// overviewDays is how far back the completed-per-day chart goes.
const overviewDays = 30

func (a *App) overviewPage(w http.ResponseWriter, r *http.Request, rq *req) {
	ctx := r.Context()
	uid := rq.p.User.ID
	now := a.now()
	// Overdue as the rows and the API say it (taskapi.OverdueCut).
	win := taskapi.NewStatsWindow(now, rq.loc)
	st, err := a.store.TaskStats(ctx, uid, win)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	op := &overviewPage{Open: st.ByStatus[taskapi.StatusTodo] + st.ByStatus[taskapi.StatusInProgress], Overdue: st.Overdue,
		DueToday: st.DueToday, Done7: st.CompletedLast7Days}
	var pb []bar
	for _, p := range taskapi.Priorities() {
		pb = append(pb, bar{Label: priorityName(p), Value: st.ByPriority[p], Class: "prio-" + string(lowerASCII(string(p)))})
	}
	op.ByPriority = barChart("Tasks by priority", pb, 360, 200)
	var sb []bar
	for _, s := range taskapi.Statuses() {
		sb = append(sb, bar{Label: statusName(s), Value: st.ByStatus[s], Class: "status"})
	}
	op.ByStatus = barChart("Tasks by status", sb, 360, 200)

	// Completed per day: every completion, a recurring task's each time
	// (from its history), counted by the store in one query.
	start := dayStart(now, rq.loc).AddDate(0, 0, -(overviewDays - 1))
	bounds := make([]time.Time, overviewDays+1)
	for i := range bounds {
		bounds[i] = start.AddDate(0, 0, i)
	}
	perDay, err := a.store.CompletionsPerDay(ctx, uid, bounds)
	if err != nil {
		a.fail(w, r, rq, err)
		return
	}
	counts := make([]int64, overviewDays)
	for i, d := range perDay {
		counts[i] = d.Count
	}
	var db []bar
	for i, n := range counts {
		day := start.AddDate(0, 0, i)
		label := ""
		if (overviewDays-1-i)%7 == 0 {
			label = day.In(rq.loc).Format("2 Jan")
		}
		db = append(db, bar{Label: label, Value: n, Class: "done"})
		op.Days = append(op.Days, bar{Label: day.In(rq.loc).Format("Mon 2 Jan"), Value: n})
		op.DailyTotal += n
	}
	op.Daily = barChart("Completed per day, last 30 days", db, 720, 220)
	a.render(w, r, rq, http.StatusOK, "overview", view{Title: "Overview", Page: op})
}

func lowerASCII(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return b
}
