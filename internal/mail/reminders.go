package mail

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/taskapi/taskapi/internal/jobs"
	"github.com/taskapi/taskapi/internal/store"
)

// The mail about a user's own tasks: reminders and the daily digest.

// mailTask is a task as these emails show it.
type mailTask struct {
	Title string
	Due   string // on the user's wall clock; "" without a due date
	Link  string
}

type ownData struct {
	Username string
	Tasks    []mailTask
	Overdue  []mailTask
	More     int
	Date     string
	Settings string
}

// Reminders is the email of the reminders that went off for one user in
// one round: one email, whatever their number.
func (t *Templates) Reminders(d store.ReminderDelivery) (Message, error) {
	loc := d.User.Location()
	data := ownData{Username: d.User.Username, Settings: t.baseURL + "/settings"}
	for _, r := range d.Reminders {
		data.Tasks = append(data.Tasks, t.mailTask(r.TaskID.String(), r.Title, r.DueDate, loc))
	}
	subject := "Reminder: " + data.Tasks[0].Title
	if n := len(data.Tasks); n > 1 {
		subject = fmt.Sprintf("%d reminders: %s and %d more", n, data.Tasks[0].Title, n-1)
	}
	return t.render("reminders", d.User.Email, subject, data)
}

// Digest is the daily digest email.
func (t *Templates) Digest(d store.Digest) (Message, error) {
	loc := d.User.Location()
	data := ownData{Username: d.User.Username, More: d.MoreDue + d.MoreOld, Settings: t.baseURL + "/settings"}
	if day, err := time.ParseInLocation(time.DateOnly, d.Date, loc); err == nil {
		data.Date = day.Format("Monday 2 January")
	}
	for _, x := range d.DueToday {
		data.Tasks = append(data.Tasks, t.mailTask(x.ID.String(), x.Title, x.DueDate, loc))
	}
	for _, x := range d.Overdue {
		data.Overdue = append(data.Overdue, t.mailTask(x.ID.String(), x.Title, x.DueDate, loc))
	}
	var parts []string
	if n := len(d.DueToday) + d.MoreDue; n > 0 {
		parts = append(parts, fmt.Sprintf("%d due today", n))
	}
	if n := len(d.Overdue) + d.MoreOld; n > 0 {
		parts = append(parts, fmt.Sprintf("%d overdue", n))
	}
	return t.render("digest", d.User.Email, "Your tasks for "+data.Date+": "+strings.Join(parts, ", "), data)
}

func (t *Templates) mailTask(id, title string, due *time.Time, loc *time.Location) mailTask {
	m := mailTask{Title: headerSafe(title, 80), Link: t.baseURL + "/tasks/" + id}
	if due != nil {
		m.Due = due.In(loc).Format("Mon 2 Jan 15:04")
	}
	return m
}

// headerSafe makes a task title fit a subject line: control characters
// (line breaks) become spaces, and it is cut to n characters.
func headerSafe(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

const ownTextTemplates = `
{{define "task"}}- {{.Title}}{{if .Due}} (due {{.Due}}){{end}}
  {{.Link}}
{{end}}
{{define "reminders"}}Hello {{.Username}},

{{if eq (len .Tasks) 1}}a reminder{{else}}reminders{{end}} for:

{{range .Tasks}}{{template "task" .}}{{end}}
You get these emails because reminder emails are on in your settings: {{.Settings}}
{{end}}
{{define "digest"}}Hello {{.Username}},

{{if .Tasks}}due today, {{.Date}}:

{{range .Tasks}}{{template "task" .}}{{end}}
{{end}}{{if .Overdue}}overdue:

{{range .Overdue}}{{template "task" .}}{{end}}
{{end}}{{if .More}}and {{.More}} more.

{{end}}You get this digest once a day because you chose it in your settings: {{.Settings}}
{{end}}`

const ownHTMLTemplates = `
{{define "list"}}<ul>{{range .}}<li><a href="{{.Link}}">{{.Title}}</a>{{if .Due}} — due {{.Due}}{{end}}</li>{{end}}</ul>{{end}}
{{define "reminders"}}{{template "head"}}<p>Hello {{.Username}},</p>
<p>{{if eq (len .Tasks) 1}}A reminder{{else}}Reminders{{end}} for:</p>
{{template "list" .Tasks}}
<p style="color:#666">You get these emails because reminder emails are on in your <a href="{{.Settings}}">settings</a>.</p>{{template "foot"}}{{end}}
{{define "digest"}}{{template "head"}}<p>Hello {{.Username}},</p>
{{if .Tasks}}<p>Due today, {{.Date}}:</p>{{template "list" .Tasks}}{{end}}
{{if .Overdue}}<p>Overdue:</p>{{template "list" .Overdue}}{{end}}
{{if .More}}<p>And {{.More}} more.</p>{{end}}
<p style="color:#666">You get this digest once a day because you chose it in your <a href="{{.Settings}}">settings</a>.</p>{{template "foot"}}{{end}}`

// ReminderOptions tune the reminder worker; zero values take the
// defaults.
type ReminderOptions struct {
	// Poll is how often the worker looks for reminders and digests that
	// are due: the most a reminder is late.
	Poll time.Duration // default 15s
	// Batch bounds the reminders (and users' digests) one transaction
	// claims.
	Batch int // default 100
	// MailQueued is called when a round queued email, to wake the outbox
	// worker.
	MailQueued func()
}

// ReminderWorker sends the reminders and daily digests that are due: it
// records them and queues their email in the outbox, in one transaction
// per batch (see store.SendDueReminders and store.SendDueDigests), on the
// loop of every durable queue (jobs.Loop). Any number of workers may run
// on one database. Time is the store's clock.
type ReminderWorker struct {
	store *store.Store
	tpl   *Templates
	log   *slog.Logger
	opts  ReminderOptions
	loop  *jobs.Loop
}

// NewReminderWorker returns a worker for st writing its emails with tpl.
func NewReminderWorker(st *store.Store, tpl *Templates, log *slog.Logger, opts ReminderOptions) *ReminderWorker {
	if opts.Poll <= 0 {
		opts.Poll = 15 * time.Second
	}
	if opts.Batch <= 0 {
		opts.Batch = 100
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &ReminderWorker{store: st, tpl: tpl, log: log, opts: opts}
	w.loop = jobs.NewLoop("reminders", opts.Poll, log, func(ctx context.Context) (bool, error) {
		r, d, err := w.batch(ctx)
		return r == opts.Batch || d == opts.Batch, err
	})
	return w
}

// Run sends what is due every Poll until ctx is done. A batch under way
// when ctx ends is finished: each is one transaction.
func (w *ReminderWorker) Run(ctx context.Context) { w.loop.Run(ctx) }

// roundTimeout bounds one batch's transaction.
const roundTimeout = 30 * time.Second

// batch sends one batch of reminders and one of digests, and returns how
// many reminders went off and how many users' digests were looked at.
func (w *ReminderWorker) batch(ctx context.Context) (reminders, digests int, err error) {
	// Not cut short by shutdown: each transaction is bounded instead.
	bg := context.WithoutCancel(ctx)
	mailed := 0
	defer func() {
		if mailed > 0 && w.opts.MailQueued != nil {
			w.opts.MailQueued()
		}
	}()
	bctx, cancel := context.WithTimeout(bg, roundTimeout)
	reminders, m, err := w.store.SendDueReminders(bctx, w.opts.Batch, queued(w.tpl.Reminders))
	cancel()
	if err != nil {
		return 0, 0, err
	}
	mailed += m
	if reminders > 0 {
		w.log.Info("reminders sent", "count", reminders, "emails", m)
	}
	bctx, cancel = context.WithTimeout(bg, roundTimeout)
	digests, m, err = w.store.SendDueDigests(bctx, w.opts.Batch, queued(w.tpl.Digest))
	cancel()
	if err != nil {
		return reminders, 0, err
	}
	mailed += m
	if m > 0 {
		w.log.Info("digests sent", "emails", m)
	}
	return reminders, digests, nil
}

// RunOnce sends every reminder and digest due now, batch by batch, and
// returns how many reminders went off and how many users' digests were
// looked at: for tests, which move the store's clock and then call it.
func (w *ReminderWorker) RunOnce(ctx context.Context) (reminders, digests int, err error) {
	for {
		r, d, err := w.batch(ctx)
		reminders, digests = reminders+r, digests+d
		if err != nil || r < w.opts.Batch && d < w.opts.Batch {
			return reminders, digests, err
		}
	}
}

// queued turns a template into what the store queues.
func queued[T any](render func(T) (Message, error)) func(T) (store.OutboxMessage, error) {
	return func(d T) (store.OutboxMessage, error) {
		m, err := render(d)
		return store.OutboxMessage{To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, err
	}
}
