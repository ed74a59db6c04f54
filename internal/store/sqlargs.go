package store

import (
	"strconv"
	"strings"
)

// args collects the arguments of a query assembled from parts; add returns
// the placeholder of the value it adds. Only fixed SQL text is ever
// concatenated: every value travels as an argument.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// list adds each value and returns "($1, $2, …)".
func list[T any](a *args, values []T) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = a.add(v)
	}
	return "(" + strings.Join(ph, ", ") + ")"
}
