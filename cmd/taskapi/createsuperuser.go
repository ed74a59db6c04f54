package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/taskapi/taskapi"
)

// adminPasswordEnv may hold the password for createsuperuser, for scripts.
const adminPasswordEnv = "TASKAPI_ADMIN_PASSWORD"

// createSuperuser runs "taskapi createsuperuser --email E [--username U]".
// The password never comes from a flag (flags end up in shell history and
// in the process list): it is read from TASKAPI_ADMIN_PASSWORD or from
// standard input (without echo when that is a terminal). An existing
// account with the email is promoted; its password changes only when one
// is given.
func createSuperuser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	email, username, rest, err := superuserFlags(args)
	if err != nil {
		return err
	}
	if email == "" {
		return usageError("createsuperuser needs --email (and --username for a new account); the password comes from $%s or standard input", adminPasswordEnv)
	}
	cfg, err := loadConfig(getenv, rest, stderr)
	if err != nil {
		return err
	}
	password := getenv(adminPasswordEnv)
	if password == "" {
		if password, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	log := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if !cfg.NoMigrate {
		if _, err := st.MigrateUp(ctx); err != nil {
			return err
		}
	}
	svc, err := newAuthService(cfg, st, log, nil, nil)
	if err != nil {
		return err
	}
	u, created, err := svc.EnsureSuperuser(ctx, email, username, password)
	if err != nil {
		var fe *taskapi.FieldError
		var p *taskapi.Problem
		if errors.As(err, &fe) || errors.As(err, &p) {
			return usageError("createsuperuser: %v", err)
		}
		return fmt.Errorf("createsuperuser: %w", err)
	}
	if created {
		fmt.Fprintf(stdout, "created superuser %s (%s)\n", u.Username, u.Email)
	} else {
		fmt.Fprintf(stdout, "%s (%s) is now an active, verified superuser\n", u.Username, u.Email)
	}
	return nil
}

// superuserFlags takes --email and --username out of args (as "--email x"
// or "--email=x", one or two dashes) and leaves the rest to the
// configuration flags. A --password flag is refused outright.
func superuserFlags(args []string) (email, username string, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") {
			rest = append(rest, args[i])
			continue
		}
		var dst *string
		switch name {
		case "email":
			dst = &email
		case "username":
			dst = &username
		case "password":
			return "", "", nil, usageError("createsuperuser takes no --password: give it in $%s or on standard input", adminPasswordEnv)
		default:
			rest = append(rest, args[i])
			continue
		}
		if !hasValue {
			if i+1 >= len(args) {
				return "", "", nil, usageError("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		*dst = strings.TrimSpace(value)
	}
	return email, username, rest, nil
}

// readPassword reads the password from stdin: typed without echo when
// stdin is a terminal, else the first line of what is piped in. No input
// gives "" (fine for an existing account, which keeps its password).
func readPassword(stdin io.Reader, prompt io.Writer) (string, error) {
	if stdin == nil {
		return "", nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "Password (empty keeps an existing account's password): ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
