;;; pattern-language.el --- Eglot setup for pattern-language  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: MIT OR Apache-2.0

;;; Commentary:

;; pattern-language is a language server for Django teams applying
;; Domain-Driven Design: pattern hover, `[[pattern-id]]' completion and
;; diagnostics in Markdown, and pattern recognition and smells in Python.
;; Install the server with `cargo install --path server' from a checkout
;; of the repository, then:
;;
;;   (add-to-list 'load-path "/path/to/pattern-language/editors/emacs")
;;   (require 'pattern-language)
;;   (pattern-language-eglot-setup)
;;
;; and `M-x eglot' in a Markdown buffer (or `eglot-ensure' from a hook).
;;
;; Eglot runs one server per buffer.  In Python buffers pattern-language
;; would replace your Python server (pyright, pylsp...), so it is only
;; registered for Python when `pattern-language-python' is non-nil.
;;
;; Settings: `pattern-language-initialization-options' is sent at
;; start-up; for settings that change while the server runs use Eglot's
;; `eglot-workspace-configuration', e.g. in .dir-locals.el:
;;
;;   ((nil . ((eglot-workspace-configuration
;;             . (:pattern-language
;;                (:ignore ["uuid4-primary-key"]
;;                 :contexts (:billing ["billing" "invoicing"])))))))

;;; Code:

(require 'eglot)
(require 'seq)

(defgroup pattern-language nil
  "Domain-Driven Design patterns for Django, with the pattern-language server."
  :group 'eglot
  :prefix "pattern-language-")

(defcustom pattern-language-server-command '("pattern-language" "server")
  "The command that runs the pattern-language server over stdio."
  :type '(repeat string))

(defcustom pattern-language-python nil
  "Non-nil means also use pattern-language in Python buffers.
Eglot runs one server per buffer, so this replaces your Python
language server there."
  :type 'boolean)

(defcustom pattern-language-initialization-options nil
  "A plist sent as initializationOptions.
For example (:ignore [\"uuid4-primary-key\"]).  Keys: :catalog
:exclude :select :ignore (vectors of strings), :severity and
:contexts (plists), :inlayHints and :codeLens (t or :json-false).
Keys left out come from the project's `[tool.pattern-language]' in
pyproject.toml or from pattern-language.toml."
  :type 'plist)

(defconst pattern-language--markdown-modes
  '(markdown-mode gfm-mode markdown-ts-mode)
  "Major modes of Markdown buffers.")

(defconst pattern-language--python-modes '(python-mode python-ts-mode)
  "Major modes of Python buffers.")

(defclass pattern-language-eglot-server (eglot-lsp-server) ()
  "The pattern-language server.")

(cl-defmethod eglot-initialization-options
  ((_server pattern-language-eglot-server))
  "Send `pattern-language-initialization-options'."
  (or pattern-language-initialization-options eglot--{}))

(defun pattern-language--contact (&rest _)
  "The server program for Eglot."
  (cons 'pattern-language-eglot-server pattern-language-server-command))

;;;###autoload
(defun pattern-language-eglot-setup ()
  "Register pattern-language with Eglot for Markdown (and Python).
Python buffers are included when `pattern-language-python' is non-nil.
Each buffer's languageId is `markdown' or `python', whatever its major
mode is called.  An Eglot that keeps one languageId per server gets one
server for Markdown and another for Python; a newer one shares one."
  (interactive)
  (let* ((spec (lambda (modes id)
                 (mapcar (lambda (m) (list m :language-id id)) modes)))
         (markdown (funcall spec pattern-language--markdown-modes "markdown"))
         (python (and pattern-language-python
                      (funcall spec pattern-language--python-modes "python")))
         (groups (if (and python (fboundp 'eglot--languages))
                     (list (append markdown python))
                   (delq nil (list markdown python)))))
    (setq eglot-server-programs
          (append (mapcar (lambda (modes)
                            (cons modes #'pattern-language--contact))
                          groups)
                  (seq-remove (lambda (entry)
                                (eq (cdr entry) #'pattern-language--contact))
                              eglot-server-programs)))))

;;;###autoload
(defun pattern-language-show-context-map ()
  "Draw the project's context map.
The server writes it as SVG in the user cache folder and asks Emacs to
open it with window/showDocument (Eglot 1.15+ hands it to `browse-url');
with an older Eglot the server reports the file's path instead."
  (interactive)
  (let ((server (or (eglot-current-server)
                    (user-error "pattern-language: no Eglot server in this buffer"))))
    (if (fboundp 'eglot-execute)
        (eglot-execute server (list :command "pattern-language.showContextMap"
                                    :arguments []))
      (with-no-warnings
        (eglot-execute-command server "pattern-language.showContextMap" [])))))

(provide 'pattern-language)
;;; pattern-language.el ends here
