# griddispatch: `make run` sets everything up and serves; `make test` sets up the same and tests.
# Everything local lives under .data/: the PostgreSQL cluster, its generated password, the
# embedded NATS store and the built binary. `make stop` stops the cluster; `make clean-data`
# deletes it all.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DATA      ?= $(CURDIR)/.data
PGDATA    := $(DATA)/pg
PGPASS    := $(DATA)/pg-password
PGPORT    ?= 55432
PGVERSION := 15
PGBIN     := /usr/lib/postgresql/$(PGVERSION)/bin
BIN       := $(DATA)/bin/griddispatch
LISTEN    ?= 127.0.0.1:8080
# DEMO selects what `make run` loads: "all" (Yuncheng city, 13 counties) or one county code.
DEMO      ?= all
# DEMO_HISTORY: past cases the demo holds (docs/demo-history.md); topped up, never added twice.
DEMO_HISTORY ?= 20000

# initdb refuses to run as root, so as root the cluster belongs to the postgres user.
ifeq ($(shell id -u),0)
  AS_PG := runuser -u postgres --
  SUDO  :=
else
  AS_PG :=
  SUDO  := sudo
endif

# Connection URLs are built at recipe time, after the password file exists.
pg_password   = $(shell cat $(PGPASS))
admin_url     = postgres://postgres:$(pg_password)@127.0.0.1:$(PGPORT)/postgres?sslmode=disable
database_url  = postgres://griddispatch:$(pg_password)@127.0.0.1:$(PGPORT)/griddispatch?sslmode=disable
test_db_url   = postgres://griddispatch:$(pg_password)@127.0.0.1:$(PGPORT)/griddispatch_test?sslmode=disable
psql_admin    = PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$(pg_password) $(PGBIN)/psql -h 127.0.0.1 -p $(PGPORT) -U postgres -v ON_ERROR_STOP=1 -qtA

GO_PACKAGES := ./...

.PHONY: help run test sweep-test-schemas stop clean-data build deps db db-start db-init migrate demo env fmt vet \
	bench bench-locate validate-demo ui chromium loadgen faults tidy test-faults

help:
	@echo "make run         set up PostgreSQL+PostGIS under .data/, migrate, load the demo, serve on $(LISTEN)"
	@echo "make test        set up the same and run every test (go test -race, browser tests in Chromium) but the fault scenarios"
	@echo "make test-faults the fault scenarios in small (TestFaultsShort, a few minutes); .ci/run runs it after make test"
	@echo "make ui          build the browser apps (npm ci from the lock file, then vite) into web/static/app"
	@echo "make stop        stop the local PostgreSQL cluster"
	@echo "make env         print the DATABASE_URL of the local cluster"
	@echo "make bench       run the Go benchmarks"
	@echo "make bench-locate  locate points: in-memory index against PostGIS, on the demo city"
	@echo "make loadgen     demo phones report against make run (LOADGEN_FLAGS=...), then check exactly-once"
	@echo "make faults      kill -9 griddispatch, NATS and PostgreSQL under load, then check nothing was lost (FAULTS_FLAGS=...)"
	@echo "make cluster     three NATS nodes (JetStream R3) and two griddispatch on $(CLUSTER_LISTEN) over the demo (docs/deploy.md); Ctrl-C or make cluster-stop stops them"
	@echo "make clean-data  stop the cluster and delete .data/"

## --- setup -------------------------------------------------------------------------------

# PostgreSQL 15 and PostGIS 3 from Debian's packages, each only if missing: naming an installed
# package to apt-get would upgrade it under a running server. And the TrueType fonts the server
# writes PDFs in (the weekly bulletin; docs/deploy.md): Chinese, and Latin letters and digits.
deps:
	@pkgs=; \
	[ -x $(PGBIN)/initdb ] || pkgs="$$pkgs postgresql-$(PGVERSION)"; \
	[ -f /usr/share/postgresql/$(PGVERSION)/extension/postgis.control ] || pkgs="$$pkgs postgresql-$(PGVERSION)-postgis-3"; \
	[ -f /usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf ] || pkgs="$$pkgs fonts-arphic-gbsn00lp"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || pkgs="$$pkgs fonts-dejavu-core"; \
	if [ -n "$$pkgs" ]; then \
		echo ">> installing$$pkgs" >&2; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
	fi

# A private cluster: loopback only, no unix socket, SCRAM passwords, password generated once.
db-init: deps
	@if [ ! -f $(PGDATA)/PG_VERSION ]; then \
		echo ">> creating PostgreSQL $(PGVERSION) cluster in $(PGDATA)" >&2; \
		mkdir -p $(DATA); \
		[ -f $(PGPASS) ] || (umask 077; od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > $(PGPASS)); \
		mkdir -p $(PGDATA); chmod 700 $(PGDATA); \
		if [ -n "$(AS_PG)" ]; then \
			chown postgres: $(PGDATA) $(PGPASS); \
			d=; for part in $$(echo $(DATA) | tr / ' '); do d="$$d/$$part"; \
				if ! runuser -u postgres -- test -x "$$d"; then \
					echo ">> granting the postgres user passage (o+x) through $$d" >&2; chmod o+x "$$d"; fi; \
			done; \
		fi; \
		$(AS_PG) $(PGBIN)/initdb -D $(PGDATA) -U postgres --pwfile=$(PGPASS) \
			--auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null; \
		{ echo "listen_addresses = '127.0.0.1'"; echo "port = $(PGPORT)"; \
		  echo "unix_socket_directories = ''"; echo "synchronous_commit = on"; \
		  echo "max_connections = 200"; echo "shared_buffers = 512MB"; \
		  echo "work_mem = 32MB"; echo "maintenance_work_mem = 256MB"; \
		  echo "max_wal_size = 4GB"; } >> $(PGDATA)/postgresql.conf; \
	fi

db-start: db-init
	@if ! $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) status >/dev/null 2>&1; then \
		echo ">> starting PostgreSQL on 127.0.0.1:$(PGPORT)" >&2; \
		$(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -l $(PGDATA)/server.log -w -t 60 start >/dev/null; \
	fi

# The application role owns its databases; PostGIS needs a superuser to create, so we do it here.
db: db-start
	@$(psql_admin) -d postgres -c "DO \$$\$$ BEGIN \
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'griddispatch') THEN \
			CREATE ROLE griddispatch LOGIN PASSWORD '$(pg_password)'; END IF; END \$$\$$;"
	@for db in griddispatch griddispatch_test; do \
		if [ -z "$$($(psql_admin) -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$$db'")" ]; then \
			$(psql_admin) -d postgres -c "CREATE DATABASE $$db OWNER griddispatch"; \
		fi; \
		$(psql_admin) -d $$db -c "CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public"; \
	done

stop:
	@if [ -f $(PGDATA)/PG_VERSION ] && $(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) status >/dev/null 2>&1; then \
		$(AS_PG) $(PGBIN)/pg_ctl -D $(PGDATA) -m fast -w stop; \
	else echo "PostgreSQL is not running"; fi

clean-data: stop
	rm -rf $(DATA)

env: db
	@echo "export DATABASE_URL='$(database_url)'"
	@echo "export TEST_DATABASE_URL='$(test_db_url)'"

# Debian's Chromium for the browser tests (playwright-core drives it; it never downloads one),
# and Noto CJK, without which Chinese renders as boxes and layout problems hide in screenshots;
# pdftotext (poppler-utils), with which the tests read the PDFs they write back.
chromium:
	@pkgs=; [ -x /usr/bin/chromium ] || pkgs="$$pkgs chromium"; \
	[ -d /usr/share/fonts/opentype/noto ] || pkgs="$$pkgs fonts-noto-cjk"; \
	[ -x /usr/bin/pdftotext ] || pkgs="$$pkgs poppler-utils"; \
	if [ -n "$$pkgs" ]; then \
		echo ">> installing$$pkgs" >&2; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
	fi

## --- browser apps ------------------------------------------------------------------------

# The apps are built from npm packages pinned by web/ui/package-lock.json, into
# web/static/app, which the binary embeds. Nothing is fetched from a CDN at run time.
UI_DIR   := web/ui
UI_STAMP := $(UI_DIR)/node_modules/.package-lock.json
UI_OUT   := web/static/app/phone/index.html
UI_SRC   := $(shell find $(UI_DIR)/src $(UI_DIR)/phone $(UI_DIR)/console $(UI_DIR)/dashboard $(UI_DIR)/admin $(UI_DIR)/public -type f 2>/dev/null) \
	$(UI_DIR)/vite.config.ts $(UI_DIR)/tsconfig.json

$(UI_STAMP): $(UI_DIR)/package-lock.json
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' 2>/dev/null || \
		{ echo "Node.js 20.19 or newer is needed to build the apps (found: $$(node --version 2>&1))" >&2; exit 1; }
	cd $(UI_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(UI_OUT): $(UI_STAMP) $(UI_SRC)
	cd $(UI_DIR) && npm run --silent build

ui: $(UI_OUT)

## --- build and run -----------------------------------------------------------------------

build: ui
	@mkdir -p $(dir $(BIN))
	go build -o $(BIN) ./cmd/griddispatch

migrate: db build
	@DATABASE_URL='$(database_url)' $(BIN) migrate

demo: migrate
	@DATABASE_URL='$(database_url)' $(BIN) demo load $(if $(filter all,$(DEMO)),,--county $(DEMO)) --history $(DEMO_HISTORY) --history-top-up

run: demo
	@echo ">> serving on http://$(LISTEN)  (phone app: http://$(LISTEN)/phone/ ; console: http://$(LISTEN)/console/ ; dashboard: http://$(LISTEN)/dashboard/ ; admin: http://$(LISTEN)/admin/ ; probe: curl http://$(LISTEN)/readyz)"
	@DATABASE_URL='$(database_url)' exec $(BIN) serve --listen $(LISTEN) --data-dir $(DATA)

validate-demo: demo
	@DATABASE_URL='$(database_url)' $(BIN) grid validate

## --- load time on a slow link (docs/benchmarks.md) ----------------------------------------

# Each app from an empty cache in Chromium throttled to 150 ms and 1.6 Mbit/s, against a server
# that is already running (`make run` in another shell, or BASE_URL=http://host:port); RUNS=3,
# APPS=phone,console,dashboard,admin, or TARGETS=before=URL,after=URL to compare two servers.
.PHONY: loadtime
loadtime: chromium $(UI_STAMP)
	cd $(UI_DIR) && BASE_URL="$${BASE_URL:-http://$(LISTEN)}" node e2e/loadtime.mjs

## --- quality -----------------------------------------------------------------------------

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	go vet $(GO_PACKAGES)

# go.mod and go.sum as go mod tidy would write them: fails, showing the difference, if not.
tidy:
	@go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }

# Test schemas (t_*, and the per-process templates t_tpl_*) are dropped by the tests
# themselves; a run that was killed leaves some, which are swept here before the next run.
sweep-test-schemas: db
	@for s in $$($(psql_admin) -d griddispatch_test -c "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\_%'"); do \
		$(psql_admin) -d griddispatch_test -c "DROP SCHEMA $$s CASCADE"; done

# The fault scenarios (TestFaultsShort, a few minutes of their own PostgreSQL and NATS under
# load) run in make test-faults, which .ci/run calls after make test.
test: db fmt vet tidy ui chromium sweep-test-schemas
	@echo "go test -race -count=1 -parallel 4 -skip '^TestFaultsShort$$' ./...  (TEST_DATABASE_URL: griddispatch_test on 127.0.0.1:$(PGPORT))"
	@TEST_DATABASE_URL='$(test_db_url)' go test -race -count=1 -parallel 4 -timeout 12m -skip '^TestFaultsShort$$' $(GO_PACKAGES)
	@echo "go test -count=1 ./geo  (geo's tests of pure computation, which skip under -race: docs/testing.md)"
	@go test -count=1 ./geo

test-faults: db ui
	@TEST_DATABASE_URL='$(test_db_url)' go test -race -count=1 -timeout 12m -run '^TestFaultsShort$$' -v ./cmd/faults

## --- fuzzing (docs/fuzzing.md) ------------------------------------------------------------

# Every fuzz target as package:Target. go test -fuzz takes one target of one package per run, so
# they run one after another; FUZZ_PARALLEL workers each (1 leaves the other cores alone).
FUZZ_TARGETS  ?= ./web:FuzzDecodeInbound ./web:FuzzRequestBodies ./grid:FuzzReadGeoJSON \
	./grid:FuzzReadShapefile ./dispatch:FuzzReportCheck ./dispatch:FuzzTransitionCheck ./dispatch:FuzzCategoryCheck
FUZZTIME      ?= 10m
# A count, not a duration: Go 1.26's fuzzing coordinator can fail a target with a bare "context
# deadline exceeded" when a -fuzztime duration ends mid-run (go.dev/issue/75804, fixed in 1.27).
FUZZ_BRIEF    ?= 1000x
FUZZ_PARALLEL ?= 1

# fuzz_each runs every target for $(1), its output through $(2), then prints each target's last
# progress line: its duration, executions and new interesting inputs. A failure prints the whole
# output, which names the failing input written to the package's testdata/fuzz/.
define fuzz_each
	@summary=; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; log=$$(mktemp); \
		echo ">> go test -run '^$$' -fuzz '^$$name\$$' -fuzztime $(1) -parallel $(FUZZ_PARALLEL) $$pkg"; \
		if ! go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(1) -parallel $(FUZZ_PARALLEL) $$pkg 2>&1 | $(2); then \
			cat $$log; rm -f $$log; echo "FAIL $$name"; exit 1; fi; \
		last=$$(grep '^fuzz: elapsed' $$log | tail -1); rm -f $$log; \
		echo "   $$name: $$last"; summary="$$summary$$name: $$last"$$'\n'; \
	done; echo "fuzz targets, $(1) each, -parallel $(FUZZ_PARALLEL):"; printf '%s' "$$summary"
endef

.PHONY: fuzz fuzz-brief
fuzz:
	$(call fuzz_each,$(FUZZTIME),tee $$log)

# A thousand inputs each (seconds), after make test in .ci/run: the seeds, what the fuzzer found
# before, and some more.
fuzz-brief:
	$(call fuzz_each,$(FUZZ_BRIEF),cat > $$log)

# Locating points: the in-memory index against PostGIS on the grid make run loaded.
bench-locate: demo
	@DATABASE_URL='$(database_url)' go run ./cmd/locatebench

# Load against `make run` in another terminal (docs/loadgen.md).
LOADGEN_FLAGS ?= --workers 300 --rate 1000 --duration 60s
loadgen: db
	@DATABASE_URL='$(database_url)' go run ./cmd/loadgen --url http://$(LISTEN) $(LOADGEN_FLAGS)

# Fault tests (docs/faults.md): their own PostgreSQL under $(DATA)/faults (port 55442) and NATS
# servers, both scenarios, 55,000 reports each. FAULTS_FLAGS=--scenario=cluster runs one.
FAULTS_FLAGS ?=
faults: deps ui
	go run ./cmd/faults --work-dir $(DATA)/faults $(FAULTS_FLAGS)

# The deployment of docs/deploy.md on loopback: three nats-server nodes (built from the module
# go.mod already requires) in one JetStream cluster, stores under $(DATA)/cluster, and two
# griddispatch processes with streams of three replicas and one shared photos directory.
CLUSTER_DIR        := $(DATA)/cluster
NATS_BIN           := $(DATA)/bin/nats-server
CLUSTER_LISTEN     ?= 127.0.0.1:8081 127.0.0.1:8082
CLUSTER_NATS_PORTS ?= 14222 14223 14224

$(NATS_BIN): go.mod go.sum
	@mkdir -p $(dir $@)
	go build -o $@ github.com/nats-io/nats-server/v2

.PHONY: cluster cluster-stop
cluster: demo $(NATS_BIN)
	@DATABASE_URL='$(database_url)' CLUSTER_LISTEN='$(CLUSTER_LISTEN)' CLUSTER_NATS_PORTS='$(CLUSTER_NATS_PORTS)' \
		.ci/cluster start $(CLUSTER_DIR) $(BIN) $(NATS_BIN)

cluster-stop:
	@.ci/cluster stop $(CLUSTER_DIR)

bench: db
	@TEST_DATABASE_URL='$(test_db_url)' go test -run '^$$' -bench . -benchmem $(GO_PACKAGES)
