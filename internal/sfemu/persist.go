package sfemu

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sfbridge/sfbridge/internal/sfemu/auth"
	"github.com/sfbridge/sfbridge/internal/sfemu/org"
	"github.com/sfbridge/sfbridge/internal/sfemu/schema"
)

// The data file is a zip archive (uncompressed) of two entries: the org
// snapshot (org.Save's format) and the OAuth state (auth.Server.Save's
// JSON), so one file holds everything a restart needs.
const (
	dataOrgEntry  = "org.snapshot"
	dataAuthEntry = "auth.json"
)

// buildOrg creates a fresh org with the seed and the schema file.
func buildOrg(opts Options, seed string) (*org.Org, error) {
	reg := schema.Standard()
	if opts.SchemaFile != "" {
		data, err := os.ReadFile(opts.SchemaFile)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the schema file: %v", ErrInvalidOptions, err)
		}
		if reg, err = reg.Apply(filepath.Base(opts.SchemaFile), data); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
		}
	}
	o, err := org.New(org.Options{Clock: opts.Clock, Seed: seed, Registry: reg})
	if err != nil {
		return nil, fmt.Errorf("creating the org: %w", err)
	}
	return o, nil
}

// loadDataFile reads the org and the OAuth state from the data file.
func loadDataFile(opts Options) (*org.Org, []byte, error) {
	zr, err := zip.OpenReader(opts.DataFile)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the data file %s: %w", opts.DataFile, err)
	}
	defer zr.Close()
	read := func(name string) (io.ReadCloser, error) {
		f, err := zr.Open(name)
		if err != nil {
			return nil, fmt.Errorf("reading the data file %s: %w (is it an sfbridge emulator data file?)", opts.DataFile, err)
		}
		return f, nil
	}
	of, err := read(dataOrgEntry)
	if err != nil {
		return nil, nil, err
	}
	defer of.Close()
	o, err := org.Load(of, opts.Clock)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the org from %s: %w", opts.DataFile, err)
	}
	af, err := read(dataAuthEntry)
	if err != nil {
		return nil, nil, err
	}
	defer af.Close()
	authState, err := io.ReadAll(af)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the data file %s: %w", opts.DataFile, err)
	}
	if err := applySchemaFile(o, opts.SchemaFile); err != nil {
		return nil, nil, err
	}
	return o, authState, nil
}

// applySchemaFile adds the schema file to a loaded org unless the org
// already has it (it was saved with it).
func applySchemaFile(o *org.Org, path string) error {
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w: reading the schema file: %v", ErrInvalidOptions, err)
	}
	name := filepath.Base(path)
	for _, s := range o.Registry().Sources() {
		if s.Name == name && bytes.Equal(s.Data, data) {
			return nil
		}
	}
	if err := o.ApplySchema(name, data); err != nil {
		return fmt.Errorf("%w: adding %s to the org of the data file: %w", ErrInvalidOptions, name, err)
	}
	return nil
}

// openOrg returns the org to start with: the data file's when it exists,
// else a freshly seeded one; and the saved OAuth state, if any.
func openOrg(opts Options) (*org.Org, []byte, error) {
	if opts.DataFile != "" {
		if _, err := os.Stat(opts.DataFile); err == nil {
			return loadDataFile(opts)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("opening the data file: %w", err)
		}
	}
	o, err := buildOrg(opts, opts.Seed)
	return o, nil, err
}

// Save writes the org and the OAuth state (connected apps, refresh tokens)
// to Options.DataFile, atomically: a crash leaves the previous file.
func (e *Emulator) Save() error {
	if e.opts.DataFile == "" {
		return ErrNoDataFile
	}
	cur := e.world()
	tmp, err := os.CreateTemp(filepath.Dir(e.opts.DataFile), filepath.Base(e.opts.DataFile)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving the emulator: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename this fails harmlessly
	if err := writeDataFile(tmp, cur.org, cur.auth); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the emulator to %s: %w", e.opts.DataFile, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving the emulator: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving the emulator: %w", err)
	}
	if err := os.Rename(tmp.Name(), e.opts.DataFile); err != nil {
		return fmt.Errorf("saving the emulator: %w", err)
	}
	return nil
}

func writeDataFile(w io.Writer, o *org.Org, srv *auth.Server) error {
	zw := zip.NewWriter(w)
	ow, err := zw.CreateHeader(&zip.FileHeader{Name: dataOrgEntry, Method: zip.Store})
	if err != nil {
		return err
	}
	if err := o.Save(ow); err != nil {
		return err
	}
	aw, err := zw.CreateHeader(&zip.FileHeader{Name: dataAuthEntry, Method: zip.Store})
	if err != nil {
		return err
	}
	if err := srv.Save(aw); err != nil {
		return err
	}
	return zw.Close()
}
