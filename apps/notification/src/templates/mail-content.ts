/** What a template renders: the subject line and the plain-text body of one e-mail. */
export interface MailContent {
  readonly subject: string;
  readonly text: string;
}
