/* twilio_in — being written. */
