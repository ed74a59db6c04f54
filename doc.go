// Package taskapi holds the domain of the task API: users, sessions,
// categories and tasks, their validation rules and the errors every other
// package speaks. It depends on nothing of ours and on no transport or
// database package, so the rules can be read and tested on their own.
package taskapi
