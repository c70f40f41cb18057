"""Run: `dataref extract` on one machine or on Ray, and the GROBID client for PDFs."""
