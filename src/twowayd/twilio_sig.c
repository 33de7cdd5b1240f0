/* twilio_sig — being written. */
