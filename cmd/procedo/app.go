// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/api"
	"github.com/procedo/procedo/blob"
	"github.com/procedo/procedo/jobs"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/mail"
	"github.com/procedo/procedo/payment"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/server"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/web"
	"github.com/procedo/procedo/web/static"
)

// App is procedo wired together: database, blob store, services, web, API and jobs.
type App struct {
	Config    Config
	Logger    *slog.Logger
	DB        *sqlstore.DB
	Blobs     blob.Store
	Server    *server.Server
	Runner    *jobs.Runner
	Scheduler *jobs.Scheduler

	web *web.Handler
}

// openStore opens and migrates the database and the blob store.
func openStore(ctx context.Context, cfg Config, logger *slog.Logger) (*sqlstore.DB, blob.Store, error) {
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return nil, nil, err
	}
	db.Logger = logger
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	blobs, err := blob.Open(ctx, cfg.Blobs)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	db.Blobs = blobs
	db.Renderer = &pdf.Renderer{}
	db.BaseURL = cfg.BaseURL
	return db, blobs, nil
}

// NewApp opens the stores and wires every component. Call Close when done.
func NewApp(ctx context.Context, cfg Config, logger *slog.Logger) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	db, blobs, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, DB: db, Blobs: blobs}

	tenants := sqlstore.NewTenantService(db)
	users := sqlstore.NewUserService(db)
	cases := sqlstore.NewCaseService(db)
	docs := sqlstore.NewDocumentService(db)
	regs := sqlstore.NewRegistrationService(db)
	procs := sqlstore.NewProcedureService(db)
	apps := sqlstore.NewApplicationService(db)
	outbox := sqlstore.NewOutboxService(db)
	audit := sqlstore.NewAuditService(db)
	renderer := &pdf.Renderer{}

	var mailer procedo.Mailer
	if cfg.SMTPURL != "" {
		m, err := mail.New(cfg.SMTPURL)
		if err != nil {
			a.Close()
			return nil, fmt.Errorf("PROCEDO_SMTP_URL: %w", err)
		}
		mailer = m
	} else if !cfg.Demo {
		logger.Warn("PROCEDO_SMTP_URL is not set: e-mails are kept in the outbox and not sent")
	}
	a.Runner = &jobs.Runner{Store: sqlstore.NewJobStore(db), Logger: logger, Workers: cfg.Workers}
	a.Runner.Handle(procedo.JobSendMail, (&jobs.MailSender{Tenants: tenants, Outbox: outbox, Applications: apps,
		Documents: docs, Renderer: renderer, Mailer: mailer, From: cfg.MailFrom}).Handle)
	daily := sqlstore.NewDailyRegisterService(db)
	a.Runner.Handle(procedo.JobDailyRegister, (&jobs.DailyRegisterMaker{Tenants: tenants, DailyRegisters: daily}).Handle)
	(&jobs.CaseClockWorker{Tenants: tenants, Cases: cases, Logger: logger}).HandleAll(a.Runner)
	a.Runner.Handle(procedo.JobOpinionDeadlines, (&jobs.OpinionDeadlineWorker{Tenants: tenants, Opinions: cases, Logger: logger}).Handle)
	payments := sqlstore.NewPaymentService(db)
	drafts := sqlstore.NewDraftService(db, payments)
	drafts.TTL = time.Duration(cfg.DraftDays) * 24 * time.Hour
	a.Runner.Handle(procedo.JobPurgeDrafts, (&jobs.DraftPurger{Drafts: drafts, Logger: logger}).Handle)
	a.Runner.Handle(procedo.JobCollectBlobs, (&jobs.BlobCollector{Blobs: db, Logger: logger}).Handle)
	a.Scheduler = &jobs.Scheduler{Logger: logger, After: a.Runner.Notify, Tasks: []jobs.Task{
		{Name: "daily-registers", Run: db.ScheduleDailyRegisters},
		{Name: "draft-purge", Run: db.ScheduleDraftPurge},
		{Name: "blob-collect", Run: db.ScheduleBlobCollection},
		{Name: "case-clock", Run: db.ScheduleCaseJobs},
		{Name: "case-opinions", Run: db.ScheduleOpinionJobs},
	}}

	idps := newIdentityProviders(sqlstore.NewIdentityProviderService(db), cfg.Demo, logger)
	staticFS, err := fs.Sub(static.FS, ".")
	if err != nil {
		a.Close()
		return nil, err
	}
	w := &web.Handler{Tenants: tenants, Users: users, Sessions: sqlstore.NewSessionService(db), OrgUnits: sqlstore.NewOrgUnitService(db),
		Procedures: procs, Applications: apps, Cases: cases, Documents: docs, Registrations: regs, Outbox: outbox, Audit: audit,
		Blobs: blobs, Renderer: renderer, IdentityFor: idps.For, Logger: logger, Demo: cfg.Demo, DefaultTenant: cfg.DefaultTenant,
		SecureCookies: cfg.SecureCookies(), MaxUpload: int64(cfg.MaxUploadMB) << 20, Notify: a.Runner.Notify, Static: staticFS}
	w.DailyRegisters, w.Classifications = daily, sqlstore.NewClassificationService(db)
	w.Drafts, w.Payments, w.CasePayments = drafts, payments, payments
	w.CaseWork, w.CaseCitizen, w.CaseNotes, w.CaseMessages, w.CaseWithdrawals, w.OutboxList = cases, cases, cases, cases, cases, outbox
	w.CaseOpinions = cases
	if cfg.Demo {
		// The DEMO checkout: only in demo mode (payment.Demo refuses
		// everything unless Enabled); a pagoPA intermediary plugs in here.
		// It also notifies payments server to server, as an intermediary
		// would: payments started through the API are recorded so.
		demoPay := &payment.Demo{Enabled: true, PageURL: "/pagamenti/demo", ReturnURL: "/pagamenti/esito",
			NotifyURL: strings.TrimRight(cfg.BaseURL, "/") + "/api/v1/payments/demo/notifications", Logger: logger,
			Stylesheets: []string{"/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css", "/static/css/procedo.css"}}
		w.PaymentProvider, w.PaymentPage = demoPay, demoPay
	}
	w.Segnatura = (&segnaturaMaker{Tenants: tenants, Keys: sqlstore.NewSigningKeyService(db), Classifications: w.Classifications}).Build
	w.Models = library.Codec{}
	w.StandardModels = library.StandardPackage
	w.Init()
	apiSrv := &api.Server{Users: users, Cases: cases, Documents: docs, Registrations: regs, Procedures: procs, Audit: audit, Logger: logger,
		Blobs: blobs, Tenants: tenants, Keys: sqlstore.NewSigningKeyService(db), DailyRegisters: daily, Classifications: w.Classifications,
		MaxUpload: int64(cfg.MaxUploadMB) << 20}
	apiSrv.Models = library.Codec{}
	apiSrv.CaseWork = cases
	apiSrv.CaseOpinions = cases
	apiSrv.CaseMessages, apiSrv.CasePayments = cases, payments
	apiSrv.Drafts, apiSrv.Applications = drafts, apps
	apiSrv.Payments, apiSrv.PaymentProvider, apiSrv.Renderer = payments, w.PaymentProvider, renderer
	a.Server = &server.Server{Web: w.Routes(), API: apiSrv.Handler(), Health: db.Ping, Logger: logger}
	a.web = w
	return a, nil
}

// Run serves on the listener opened by Listen and runs the job workers until
// ctx is cancelled; then it stops accepting requests, lets requests and jobs in
// flight finish, and returns.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	jctx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.Runner.Run(jctx)
	}()
	go func() {
		defer wg.Done()
		a.Scheduler.Run(jctx)
	}()
	err := a.Server.Serve(ctx)
	stopJobs() // drain jobs after the server has stopped
	wg.Wait()
	return err
}

// Close releases the stores.
func (a *App) Close() error {
	if a.Blobs != nil {
		a.Blobs.Close()
	}
	if a.DB != nil {
		return a.DB.Close()
	}
	return nil
}
