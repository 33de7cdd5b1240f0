/* complete — being written. */
