# Exchange Lab — the two commands: `make demo` and `make test`.
.PHONY: demo test services services-down build release migrate

services:
	scripts/dev-services up

services-down:
	scripts/dev-services down

build:
	swift build

release:
	swift build -c release

migrate: services build
	swift run exchange-server migrate

demo:
	scripts/demo

test:
	scripts/test
