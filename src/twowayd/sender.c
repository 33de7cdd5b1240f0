/* sender — being written. */
