package taskapi

import "strings"

// quickTag reads a quick-add token as a tag: @name or @"long name", when
// name is one of tags (case ignored) and not among taken yet. It returns
// the tag's name as stored.
func quickTag(token string, tags, taken []string) (string, bool) {
	name, ok := strings.CutPrefix(token, "@")
	if !ok || name == "" {
		return "", false
	}
	if len(name) >= 2 && strings.HasPrefix(name, `"`) && strings.HasSuffix(name, `"`) {
		name = name[1 : len(name)-1]
	}
	key := TagNameKey(strings.TrimSpace(name))
	for _, t := range tags {
		if TagNameKey(t) == key {
			for _, x := range taken {
				if x == t {
					return "", false
				}
			}
			return t, true
		}
	}
	return "", false
}

// TaskTags are the tags of the task a quick add describes: those of tags
// (the user's) that the text named, in its order.
func (q QuickAdd) TaskTags(tags []Tag) []TaskTag {
	out := []TaskTag{}
	for _, name := range q.Tags {
		for _, t := range tags {
			if t.Name == name {
				out = append(out, TaskTag{ID: t.ID, Name: t.Name, Color: t.Color})
				break
			}
		}
	}
	return out
}

// TagNames lists the names of tags, as ParseQuickAdd takes them.
func TagNames(tags []Tag) []string {
	names := make([]string, len(tags))
	for i, t := range tags {
		names[i] = t.Name
	}
	return names
}
