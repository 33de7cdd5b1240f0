/* options — being written. */
