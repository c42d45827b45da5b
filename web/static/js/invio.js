// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Takes an answer back to the identity provider (the page "Uscita dall'area
// riservata") without waiting for "Continua"; without JavaScript the button does it.
document.querySelectorAll("form[data-invio-automatico]").forEach(function (f) { f.submit(); });
