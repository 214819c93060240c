# Writes tests/ImageCluster.Tests/Fixtures/density_r.json: R's dbscan package (second oracle for DBSCAN and OPTICS).
#
# Test-time only (Debian r-cran-dbscan 1.1-11, r-cran-jsonlite); the product never runs it. Reads oracle_data.json.
# Usage: Rscript tools/make_density_fixtures.R
#
# Conventions recorded as R has them, converted only in representation: indices are 0-based, noise is -1, an undefined
# predecessor is -1 and infinite reachability is null. R's minPts counts the point itself, like scikit-learn's min_samples.
# optics() gets eps = 1e9 (no limit, like scikit-learn's max_eps = inf); R would otherwise estimate a finite eps.
suppressPackageStartupMessages({
  library(dbscan)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
root <- normalizePath(file.path(dirname(script), ".."))
fixtures <- file.path(root, "tests", "ImageCluster.Tests", "Fixtures")
sets <- fromJSON(file.path(fixtures, "oracle_data.json"))$sets

dbscan_cases <- list(
  list(set = "blobs", eps = 0.3, minPts = 5), list(set = "blobs", eps = 0.5, minPts = 5),
  list(set = "moons", eps = 0.1, minPts = 5), list(set = "moons", eps = 0.15, minPts = 4),
  list(set = "varied_density", eps = 0.5, minPts = 5), list(set = "varied_density", eps = 1.0, minPts = 8),
  list(set = "ties", eps = 1.0, minPts = 5)
)
# eps_cl: the cut of extractDBSCAN, whose partition of the core samples (core distance <= eps_cl) does not depend on the
# ordering's tie rule, unlike everything else an OPTICS run produces after its core distances.
optics_cases <- list(
  list(set = "blobs", minPts = 5, xi = 0.05, eps_cl = 0.3), list(set = "moons", minPts = 5, xi = 0.05, eps_cl = 0.1),
  list(set = "varied_density", minPts = 10, xi = 0.1, eps_cl = 1.0)
)

infinite_as_null <- function(v) lapply(v, function(e) if (is.infinite(e)) NULL else e)

dbscan_out <- lapply(dbscan_cases, function(c) {
  x <- as.matrix(sets[[c$set]]$x)
  r <- dbscan(x, eps = c$eps, minPts = c$minPts)  # borderPoints = TRUE (default)
  core <- which(is.corepoint(x, eps = c$eps, minPts = c$minPts)) - 1L
  list(set = c$set, eps = c$eps, min_pts = c$minPts,
       labels = ifelse(r$cluster == 0L, -1L, r$cluster - 1L), core = core)
})

optics_out <- lapply(optics_cases, function(c) {
  x <- as.matrix(sets[[c$set]]$x)
  o <- optics(x, eps = 1e9, minPts = c$minPts)
  e <- extractXi(o, xi = c$xi)
  cut <- extractDBSCAN(o, eps_cl = c$eps_cl)
  list(set = c$set, min_pts = c$minPts, xi = c$xi, eps_cl = c$eps_cl,
       ordering = o$order - 1L,
       reachability = infinite_as_null(o$reachdist),
       core_distances = o$coredist,
       predecessor = ifelse(is.na(o$predecessor), -1L, o$predecessor - 1L),
       xi_labels = ifelse(e$cluster == 0, -1L, as.integer(e$cluster) - 1L),
       dbscan_labels = ifelse(cut$cluster == 0L, -1L, cut$cluster - 1L))
})

doc <- list(r_dbscan = as.character(packageVersion("dbscan")), dbscan = dbscan_out, optics = optics_out)
out <- file.path(fixtures, "density_r.json")
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, null = "null"), out)
cat(sprintf("wrote %s: %d DBSCAN and %d OPTICS cases (R dbscan %s)\n", out, length(dbscan_out), length(optics_out),
            packageVersion("dbscan")))
