package cli_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSheetsInBrowser runs the demo and drives its console in chromium:
// a cell of the two-way sample's sheet edited in the grid reaches the
// emulator's account, and the row's badge turns synced without a reload;
// a CSV import with one bad line reports it and imports the others.
func TestSheetsInBrowser(t *testing.T) {
	ctx := chromiumTab(t)
	work := t.TempDir()
	p := start(t, work, nil, "demo", "--data", filepath.Join(work, "demo"), "--poll", "1s")
	consoleLine, _ := p.waitLine(t, "Console ")
	signInLine, _ := p.waitLine(t, "  sign in as ")
	tokenLine, _ := p.waitLine(t, "  TOKEN=")
	editLine, _ := p.waitLine(t, "  sfbridge sheet edit accounts --row ")
	readLine, _ := p.waitLine(t, "  curl -s -H ")

	// The browser keeps the console's Secure cookie on localhost only.
	base := strings.TrimSuffix(strings.Replace(strings.Fields(consoleLine)[1], "127.0.0.1", "localhost", 1), "/")
	signIn := regexp.MustCompile(`sign in as\s+(\S+), password (\S+)`).FindStringSubmatch(signInLine)
	login := regexp.MustCompile(`POST (\S+) -d '([^']+)'`).FindStringSubmatch(tokenLine)
	row := regexp.MustCompile(`--row (\d+)`).FindStringSubmatch(editLine)
	record := regexp.MustCompile(`'(http[^']+)'`).FindStringSubmatch(readLine)
	if signIn == nil || login == nil || row == nil || record == nil {
		t.Fatalf("the demo's summary changed: %q %q %q %q", signInLine, tokenLine, editLine, readLine)
	}

	run(t, ctx, "signing in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#f-login`)),
		chromedp.SetValue(chromedp.CSS(`#f-login`), signIn[1]),
		chromedp.SetValue(chromedp.CSS(`#f-password`), strings.TrimSuffix(signIn[2], ",")),
		chromedp.Click(chromedp.CSS(`main button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=who]`)),
	)
	cell := `tr[data-row="` + row[1] + `"] td[data-column="notes"] input[name=value]`
	badge := `[data-testid="status-` + row[1] + `"]`
	run(t, ctx, "opening the accounts sheet and editing a cell",
		chromedp.Navigate(base+"/sheets/accounts"),
		chromedp.WaitVisible(chromedp.CSS(cell)),
		until(`document.readyState === "complete" && (window.notReloaded = true) && (document.querySelector('`+cell+`').value = "") === ""`),
		chromedp.SendKeys(chromedp.CSS(cell), "Edited in the browser\r"),
	)
	// The badge goes pending, then synced once the writer sent the edit,
	// on the same page.
	run(t, ctx, "waiting for the row to be synced",
		until(`window.notReloaded === true && document.querySelector('`+badge+`').classList.contains("status-synced") &&
			document.querySelector('`+cell+`').defaultValue === "Edited in the browser"`),
	)

	// The account in the emulator has the new description.
	token := emulatorToken(t, login[1], login[2])
	for deadline := time.Now().Add(hang); ; time.Sleep(200 * time.Millisecond) {
		if desc := accountDescription(t, token, record[1]); desc == "Edited in the browser" {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the account's Description is %q, want the browser's edit", desc)
		}
	}

	// A CSV import: the bad line is reported, the good one imported.
	csvFile := filepath.Join(work, "accounts.csv")
	if err := os.WriteFile(csvFile, []byte("name,employees\nImported in the browser,12\nBad employees,many\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "importing a CSV file",
		chromedp.SetUploadFiles(chromedp.CSS(`input[type=file][name=file]`), []string{csvFile}),
		chromedp.Click(chromedp.CSS(`form[action="/sheets/accounts/import"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=import-problems]`)),
	)
	notice := readText(t, ctx, ".notice")
	problems := readText(t, ctx, "[data-testid=import-problems] tbody")
	if !strings.Contains(notice, "Rows added: 1; updated: 0; lines left out: 1.") {
		t.Errorf("after the import the notice says %q", notice)
	}
	if !strings.Contains(problems, "3") || !strings.Contains(problems, "employees") || !strings.Contains(problems, "not a number") {
		t.Errorf("the import's problems say %q; want line 3, column employees, not a number", problems)
	}
}

// accountDescription reads an account's Description through the REST API,
// at the demo guide's URL (which asks for that field).
func accountDescription(t *testing.T, token, url string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rec struct{ Description string }
	if err := json.NewDecoder(resp.Body).Decode(&rec); err != nil {
		t.Fatal(err)
	}
	return rec.Description
}
