/* cmd — being written. */
