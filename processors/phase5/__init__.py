"""Phase 5: the predictions coordinator and the local baseline worker."""
