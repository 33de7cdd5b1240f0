/* template — being written. */
