// Start GOV.UK Frontend's components (error summary, radios, service navigation...).
// A module file of its own rather than an inline script, so a Content-Security-Policy
// can forbid inline scripts.
import { initAll } from '../govuk-frontend/govuk-frontend.min.js'

initAll()
